import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { formatBRL } from '../domain/money';
import { payoutWorkflowId } from '../domain/payoutIds';
import { setPayoutsPaused } from './pausePayouts';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../temporal/searchAttributes';
import { listOpenCases } from '../decisions/audit';
import { readDecisionRecord } from '../decisions/records';
import { decide, DecisionRefusedError, type DecisionResult } from '../decisions/operatorDecisions';
import {
  OPERATOR_ACTIONS,
  type DecisionRecordState,
  type OperatorAction,
} from '../workflows/decisionRecordDefinitions';
import { PAYOUT_STATUSES, payoutStateQuery, type PayoutState, type PayoutStatus } from '../workflows/payoutDefinitions';
import { invoiceId, positiveInt } from './args';
import { CliError, emit, formatFields, formatTable, formatTime } from './output';
import { withTemporal } from './temporalFromEnv';

interface PayoutRow {
  invoiceId: string;
  status?: string;
  amountCents?: number;
  transferId?: string;
  startedAt: string;
  workflowId: string;
  execution: string;
}

interface DecisionOptions {
  operator: string;
  note?: string;
}

const DESCRIPTIONS: Record<OperatorAction, string> = {
  approve: 'send a payout held for approval',
  reject: 'never pay an invoice: a held payout ends, a closed or missing one is never started again',
  retry: 'run again the step a payout is held on (a failed transfer is retried under a new externalId)',
  restart: 'start again the payout of an invoice whose payout closed without paying, or is gone',
  acknowledge: 'close the case of a reversal after payout (money that left and the payer took back)',
};

// Statuses in which a running payout waits for an operator.
const HELD: readonly PayoutStatus[] = ['AwaitingApproval', 'NeedsAttention', 'TransferFailed'];

interface AttentionRow {
  invoiceId: string;
  waiting: string;
  detail: string;
  since: string;
}

export function registerPayoutCommands(program: Command): void {
  const payouts = program.command('payouts').description('find payouts, decide on held ones, pause all payouts');

  payouts
    .command('list')
    .description('payouts newest first, from Temporal visibility (lags writes by a moment)')
    .addOption(new Option('--status <status>', 'only payouts in this status').choices(PAYOUT_STATUSES))
    .option('--limit <n>', 'at most this many rows', positiveInt, 50)
    .action(async (opts: { status?: PayoutStatus; limit: number }, cmd: Command) => {
      const rows = await withTemporal((client) => listPayouts(client, opts.status, opts.limit));
      emit(cmd, rows, renderList);
    });

  payouts
    .command('show')
    .description("a payout's live state: status, reasons, amounts, transfer attempts, decision")
    .argument('<invoiceId>', 'the credited invoice', invoiceId)
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const shown = await withTemporal(async (client) => {
        try {
          return { payout: await client.workflow.getHandle(payoutWorkflowId(id)).query(payoutStateQuery) };
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        // Temporal forgot the payout (retention): the invoice's decision record outlives it.
        const record = await readDecisionRecord(client, id);
        if (!record) throw new CliError(`no payout for invoice ${id}`);
        return { record };
      });
      emit(cmd, shown.payout ?? shown.record, (r) => ('status' in r ? renderState(r) : renderRecord(r)));
    });

  for (const action of OPERATOR_ACTIONS) {
    payouts
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('<invoiceId>', 'the credited invoice', invoiceId)
      .requiredOption('--operator <name>', 'who decides (recorded beyond the payout)')
      .option('--note <text>', 'why')
      .action(async (id: string, opts: DecisionOptions, cmd: Command) => {
        const result = await withTemporal((client, cfg) =>
          decide(client, cfg.taskQueue, action, id, { operator: opts.operator, note: opts.note }).catch(
            (err: unknown) => {
              if (err instanceof DecisionRefusedError) throw new CliError(`${action} refused: ${err.message}`);
              throw err;
            },
          ),
        );
        emit(cmd, result, (r) => renderDecision(action, id, r));
      });
  }

  payouts
    .command('attention')
    .description('what waits for a person: payouts held for a decision, and invoices with an open case')
    .action(async (_opts: unknown, cmd: Command) => {
      const rows = await withTemporal((client, cfg) => needingAPerson(client, cfg.taskQueue));
      emit(cmd, rows, renderAttention);
    });

  for (const paused of [true, false]) {
    payouts
      .command(paused ? 'pause' : 'resume')
      .description(paused ? 'hold every payout before it sends a transfer' : 'let held payouts send again')
      .requiredOption('--operator <name>', 'who flips the switch')
      .option('--note <text>', 'why')
      .action(async (opts: DecisionOptions, cmd: Command) => {
        const woken = await withTemporal((client, cfg) =>
          setPayoutsPaused(client, cfg.taskQueue, { paused, operator: opts.operator, note: opts.note }),
        );
        emit(cmd, { paused, operator: opts.operator, note: opts.note, woken }, (r) =>
          r.paused
            ? `Payouts paused by ${r.operator}.`
            : `Payouts resumed by ${r.operator}; woke ${r.woken} paused payout${r.woken === 1 ? '' : 's'}.`,
        );
      });
  }
}

async function listPayouts(client: Client, status: PayoutStatus | undefined, limit: number): Promise<PayoutRow[]> {
  // `status` comes from a fixed list of choices, so it is safe to put in the query.
  const filters = ['WorkflowType="payout"', ...(status ? [`${PayoutStatusKey.name}="${status}"`] : [])];
  const rows: PayoutRow[] = [];
  for await (const w of client.workflow.list({ query: filters.join(' AND '), pageSize: Math.min(limit, 1000) })) {
    const sa = w.typedSearchAttributes;
    rows.push({
      invoiceId: sa.get(InvoiceIdKey) ?? w.workflowId.replace(/^payout-/, ''),
      status: sa.get(PayoutStatusKey),
      amountCents: sa.get(PayoutAmountKey),
      transferId: sa.get(TransferIdKey),
      startedAt: formatTime(w.startTime),
      workflowId: w.workflowId,
      execution: w.status.name,
    });
    if (rows.length >= limit) break;
  }
  return rows;
}

function renderRecord(r: DecisionRecordState): string {
  const fields = formatFields([
    ['Invoice', r.invoiceId],
    ['Payout', 'gone from Temporal (retention); its decision record remains'],
    [
      'Rejected',
      r.rejected && `by ${r.rejected.operator} at ${r.rejected.at}${r.rejected.note ? ` (${r.rejected.note})` : ''}`,
    ],
    ['Open case', r.openCase && `${r.openCase.kind} since ${r.openCase.since}: ${r.openCase.reason}`],
    ['Loss acknowledged', r.acknowledgedLossCents === undefined ? undefined : formatBRL(r.acknowledgedLossCents)],
  ]);
  if (r.entries.length === 0) return fields;
  const entries = formatTable(r.entries, [
    { header: 'AT', value: (e) => e.at },
    { header: 'ACTION', value: (e) => e.action },
    { header: 'OPERATOR', value: (e) => e.operator },
    { header: 'PAYOUT WAS', value: (e) => e.payoutStatus },
    { header: 'NOTE', value: (e) => e.note ?? '-' },
  ]);
  return `${fields}\n\n${entries}`;
}

function renderList(rows: PayoutRow[]): string {
  if (rows.length === 0) return 'No payouts found.';
  return formatTable(rows, [
    { header: 'INVOICE', value: (r) => r.invoiceId },
    { header: 'STATUS', value: (r) => r.status ?? '-' },
    { header: 'AMOUNT', value: (r) => (r.amountCents === undefined ? '-' : formatBRL(r.amountCents)), align: 'right' },
    { header: 'TRANSFER', value: (r) => r.transferId ?? '-' },
    { header: 'STARTED', value: (r) => r.startedAt },
  ]);
}

function renderState(s: PayoutState): string {
  const money = (cents: number | undefined) => (cents === undefined ? undefined : formatBRL(cents));
  const decisions = s.decisions.map((d) => `${d.action} by ${d.operator} at ${d.at}${d.note ? ` (${d.note})` : ''}`);
  const fields = formatFields([
    ['Invoice', s.invoiceId],
    ['Status', s.status],
    ['Reasons', s.reasons.length > 0 ? s.reasons.join('; ') : undefined],
    ['Credited', money(s.credited?.amount)],
    ['Fee', money(s.credited?.fee)],
    ['Net', money(s.netCents)],
    ['Reversed before sending', money(s.reversedCents)],
    ['To send', money(s.sendCents)],
    ['Reversed after sending', money(s.reversedAfterSendCents)],
    ['Waits for', s.awaiting.length > 0 ? s.awaiting.join(' or ') : undefined],
    ['Retrying', s.retrying],
    ['Decisions', decisions.length > 0 ? decisions.join('; ') : undefined],
    ['Attempts', String(s.attempts.length)],
  ]);
  if (s.attempts.length === 0) return fields;
  const attempts = formatTable(s.attempts, [
    { header: '#', value: (a) => String(a.attempt), align: 'right' },
    { header: 'EXTERNAL ID', value: (a) => a.externalId },
    { header: 'TRANSFER', value: (a) => a.transferId ?? '-' },
    { header: 'STATUS', value: (a) => a.status },
    { header: 'FAILURE', value: (a) => a.failureReason ?? '-' },
  ]);
  return `${fields}\n\n${attempts}`;
}

async function needingAPerson(client: Client, taskQueue: string): Promise<AttentionRow[]> {
  const rows: AttentionRow[] = [];
  for (const status of HELD) {
    const query = `WorkflowType="payout" AND ExecutionStatus="Running" AND TaskQueue="${taskQueue}" AND ${PayoutStatusKey.name}="${status}"`;
    for await (const w of client.workflow.list({ query })) {
      const invoice = w.typedSearchAttributes.get(InvoiceIdKey) ?? w.workflowId.replace(/^payout-/, '');
      rows.push({
        invoiceId: invoice,
        waiting: status,
        detail: 'payouts show for the reason',
        since: formatTime(w.startTime),
      });
    }
  }
  for (const c of await listOpenCases(client, taskQueue)) {
    rows.push({ invoiceId: c.invoiceId, waiting: `case: ${c.kind}`, detail: c.reason, since: c.since });
  }
  return rows;
}

function renderAttention(rows: AttentionRow[]): string {
  if (rows.length === 0) return 'Nothing waits for a person.';
  return formatTable(rows, [
    { header: 'INVOICE', value: (r) => r.invoiceId },
    { header: 'WAITING', value: (r) => r.waiting },
    { header: 'SINCE', value: (r) => r.since },
    { header: 'DETAIL', value: (r) => r.detail },
  ]);
}

function renderDecision(action: OperatorAction, id: string, r: DecisionResult): string {
  if (r.applied === 'payout') return `${action}: payout of invoice ${id} accepted it (now ${r.state.status}).`;
  if (r.applied === 'restarted') return `restart: a new payout of invoice ${id} started (run ${r.runId}).`;
  if (action === 'acknowledge') return `acknowledge: recorded for invoice ${id}; its reversal case is closed.`;
  return `${action}: recorded for invoice ${id} (payout ${r.payoutStatus}); nothing will start it on its own.`;
}
