import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { formatBRL } from '../domain/money';
import { payoutWorkflowId } from '../domain/payoutIds';
import { setPayoutsPaused } from './pausePayouts';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../temporal/searchAttributes';
import {
  approveUpdate,
  PAYOUT_STATUSES,
  payoutStateQuery,
  rejectUpdate,
  retryUpdate,
  type PayoutState,
  type PayoutStatus,
} from '../workflows/payoutDefinitions';
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

const decisions = { approve: approveUpdate, reject: rejectUpdate, retry: retryUpdate } as const;
type Action = keyof typeof decisions;
const past: Record<Action, string> = { approve: 'Approved', reject: 'Rejected', retry: 'Retried' };

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
      const state = await withTemporal((client) =>
        explainMissing(id, client.workflow.getHandle(payoutWorkflowId(id)).query(payoutStateQuery)),
      );
      emit(cmd, state, renderState);
    });

  for (const action of Object.keys(decisions) as Action[]) {
    payouts
      .command(action)
      .description(`${action} a payout that waits for an operator`)
      .argument('<invoiceId>', 'the credited invoice', invoiceId)
      .requiredOption('--operator <name>', 'who decides (recorded in the payout)')
      .option('--note <text>', 'why')
      .action(async (id: string, opts: DecisionOptions, cmd: Command) => {
        const state = await withTemporal((client) => decide(client, action, id, opts));
        emit(cmd, state, (s) => `${past[action]} payout of invoice ${s.invoiceId} (was ${s.status}).`);
      });
  }

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

async function decide(client: Client, action: Action, id: string, by: DecisionOptions): Promise<PayoutState> {
  const handle = client.workflow.getHandle(payoutWorkflowId(id));
  try {
    return await handle.executeUpdate(decisions[action], { args: [{ operator: by.operator, note: by.note }] });
  } catch (err) {
    // The workflow's validator says why (e.g. "cannot approve a payout that is Sending").
    if (err instanceof WorkflowUpdateFailedError) {
      throw new CliError(`${action} refused: ${err.cause?.message ?? err.message}`);
    }
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // Temporal answers "not found" both for no payout and for a finished one; tell the operator which.
  const finished = await explainMissing(id, handle.describe());
  const status = finished.typedSearchAttributes.get(PayoutStatusKey) ?? finished.status.name;
  throw new CliError(`${action} refused: the payout of invoice ${id} already finished as ${status}`);
}

async function explainMissing<T>(id: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no payout for invoice ${id}`);
    throw err;
  }
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
  const decided =
    s.decidedBy &&
    `${s.decidedBy.action} by ${s.decidedBy.operator}${s.decidedBy.note ? ` (${s.decidedBy.note})` : ''}`;
  const fields = formatFields([
    ['Invoice', s.invoiceId],
    ['Status', s.status],
    ['Reasons', s.reasons.length > 0 ? s.reasons.join('; ') : undefined],
    ['Credited', money(s.credited?.amount)],
    ['Fee', money(s.credited?.fee)],
    ['Net', money(s.netCents)],
    ['Decided', decided],
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
