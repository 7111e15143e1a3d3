import {
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import type { Command } from 'commander';
import { formatBRL } from '../domain/money';
import { payoutWorkflowId } from '../domain/payoutIds';
import { pauseStatus, setPayoutsPaused, type PauseStatus } from '../decisions/pauseSwitch';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../temporal/searchAttributes';
import { listOpenCases } from '../decisions/audit';
import { readDecisionRecord } from '../decisions/records';
import { decide, DecisionRefusedError, NEVER_STARTED, type DecisionResult } from '../decisions/operatorDecisions';
import {
  OPERATOR_ACTIONS,
  type DecisionRecordState,
  type OperatorAction,
} from '../workflows/decisionRecordDefinitions';
import {
  invoiceIdOfWorkflow,
  PAYOUT_STATUSES,
  payoutListQuery,
  payoutStateQuery,
  WAITS_FOR_PERSON,
  type PayoutState,
  type PayoutStatus,
} from '../workflows/payoutDefinitions';
import { invoiceId, oneOf, operator, positiveInt } from './args';
import { CliError, emit, examples, formatFields, formatTable, formatTime, wantsJson } from './output';
import { hasWorker, withTemporal } from './temporalFromEnv';

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
  approve: 'send a payout that waits for approval',
  reject: 'never pay an invoice: a waiting payout ends, a closed or missing one is never started again',
  retry: 'run again the step a payout waits on (a failed transfer is retried under a new externalId)',
  restart: 'start again the payout of an invoice whose payout closed without paying, or is gone',
  acknowledge: 'close a case about money that left: a reversal loss, or a transfer sent despite a rejection',
};

const NOTES: Record<OperatorAction, string> = {
  approve: 'known payer',
  reject: 'duplicate invoice',
  retry: 'bank fixed the account',
  restart: 'terminated by mistake',
  acknowledge: 'payer reversal loss; written off',
};

/** How long `payouts show` waits for a worker to answer the state query before it shows what is indexed. */
const QUERY_TIMEOUT_MS = 5_000;

interface AttentionRow {
  invoiceId: string;
  waiting: string;
  /** What the payout would send (its PayoutAmount), when it is a payout. */
  amountCents?: number;
  /** Why it waits: the payout's reasons (from a worker), or the case's. */
  detail: string;
  since: string;
}

export function registerPayoutCommands(program: Command): void {
  const payouts = program
    .command('payouts')
    .description('find payouts, decide on those that wait for a person, pause all payouts');

  payouts
    .command('list')
    .description('payouts newest first, from Temporal visibility (lags writes by a moment)')
    .option('--status <status>', `only payouts in this status (${PAYOUT_STATUSES.join(', ')})`, oneOf(PAYOUT_STATUSES))
    .option('--limit <n>', 'at most this many rows', positiveInt, 50)
    .addHelpText('after', examples('payouts list', 'payouts list --status AwaitingApproval --limit 10 --json'))
    .action(async (opts: { status?: PayoutStatus; limit: number }, cmd: Command) => {
      // Search attributes only: no codec server, no keys.
      const rows = await withTemporal({ cmd, payloads: false }, (client) =>
        listPayouts(client, opts.status, opts.limit),
      );
      emit(cmd, rows, renderList);
    });

  payouts
    .command('show')
    .description("a payout's state: status, reasons, amounts, transfer attempts, decisions (closed ones too)")
    .argument('<invoiceId>', 'the credited invoice', invoiceId)
    .addHelpText('after', examples('payouts show 5155165527080960', 'payouts show 5155165527080960 --json'))
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const shown = await withTemporal({ cmd }, (client) => showPayout(client, id));
      emit(cmd, shown, renderShown);
    });

  for (const action of OPERATOR_ACTIONS) {
    payouts
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('<invoiceId>', 'the credited invoice', invoiceId)
      .requiredOption('--operator <name>', 'who decides (recorded beyond the payout)', operator)
      .option('--note <text>', 'why')
      .addHelpText('after', examples(`payouts ${action} 5155165527080960 --operator ana --note "${NOTES[action]}"`))
      .action(async (id: string, opts: DecisionOptions, cmd: Command) => {
        const needs = { cmd, worker: 'decisions are recorded by workflows a worker runs' };
        const result = await withTemporal(needs, async (client, cfg) => {
          const decided = await decide(client, cfg.taskQueue, action, id, {
            operator: opts.operator,
            note: opts.note,
          }).catch((err: unknown) => {
            if (err instanceof DecisionRefusedError) throw new CliError(`${action} refused: ${err.message}`);
            throw err;
          });
          // What sends money waits while payouts are paused: say so, rather than let the payout sit silently.
          const sends = action === 'approve' || action === 'retry' || action === 'restart';
          const pause = sends ? await pauseStatus(client, cfg.taskQueue) : undefined;
          return { ...decided, ...(pause?.paused && { waitsForResume: pauseLine(pause) }) };
        });
        emit(cmd, result, (r) => renderDecision(action, id, r));
      });
  }

  payouts
    .command('attention')
    .description('what waits for a person: payouts waiting for a decision, and invoices with an open case')
    .addHelpText('after', examples('payouts attention', 'payouts attention --json'))
    .action(async (_opts: unknown, cmd: Command) => {
      const found = await withTemporal({ cmd }, async (client, cfg) => ({
        pause: await pauseStatus(client, cfg.taskQueue),
        waiting: await needingAPerson(client, cfg.taskQueue),
      }));
      // JSON stays the list of rows scripts read; `payouts status --json` has the switch.
      if (wantsJson(cmd)) emit(cmd, found.waiting, () => '');
      else emit(cmd, found, renderAttention);
    });

  payouts
    .command('status')
    .description('whether payouts are paused: the switch, who set it, since when and why')
    .addHelpText('after', examples('payouts status', 'payouts status --json'))
    .action(async (_opts: unknown, cmd: Command) => {
      // Read from the switch's memo: no worker, no keys.
      const status = await withTemporal({ cmd, payloads: false }, (client, cfg) => pauseStatus(client, cfg.taskQueue));
      emit(cmd, status, renderPauseStatus);
    });

  for (const paused of [true, false]) {
    payouts
      .command(paused ? 'pause' : 'resume')
      .description(paused ? 'stop every payout before it sends a transfer' : 'let paused payouts send again')
      .requiredOption('--operator <name>', 'who flips the switch', operator)
      .option('--note <text>', 'why')
      .addHelpText(
        'after',
        examples(
          `payouts ${paused ? 'pause' : 'resume'} --operator ana --note "${paused ? 'bank incident' : 'resolved'}"`,
        ),
      )
      .action(async (opts: DecisionOptions, cmd: Command) => {
        const needs = { cmd, worker: 'the pause switch is a workflow a worker runs' };
        const { before, woken } = await withTemporal(needs, async (client, cfg) => {
          // Read first, so that flipping the switch to where it already is says who put it there.
          const before = await pauseStatus(client, cfg.taskQueue);
          const change = { paused, operator: opts.operator, note: opts.note };
          return { before, woken: await setPayoutsPaused(client, cfg.taskQueue, change) };
        });
        const already = before.paused === paused && before.by ? before : undefined;
        emit(cmd, { paused, operator: opts.operator, note: opts.note, woken, already }, (r) => {
          const was = r.already && ` (already ${paused ? 'paused' : 'running'}: ${switchSetBy(r.already)})`;
          return r.paused
            ? `Payouts paused by ${r.operator}${was ?? ''}.`
            : `Payouts resumed by ${r.operator}${was ?? ''}; woke ${r.woken} paused payout${r.woken === 1 ? '' : 's'}.`;
        });
      });
  }
}

/** What `payouts show` found, and where from: the live state needs a worker, the rest does not. */
interface Shown {
  source: 'live' | 'result' | 'visibility' | 'record';
  payout?: PayoutState;
  /** What Temporal indexed, when the state itself cannot be read without a worker. */
  indexed?: PayoutRow;
  note?: string;
  record?: DecisionRecordState;
}

async function showPayout(client: Client, id: string): Promise<Shown> {
  const handle = client.workflow.getHandle(payoutWorkflowId(id));
  const description = await handle.describe().catch((err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  });
  if (!description) {
    // Temporal forgot the payout (retention): the invoice's decision record outlives it.
    const record = await readDecisionRecord(client, id);
    if (!record) throw new CliError(`no payout for invoice ${id}: none ever started, and no decision was recorded`);
    return { source: 'record', record };
  }
  const execution = description.status.name;
  // A completed payout's result is its final state, read from history: no worker needed.
  if (execution === 'COMPLETED') return { source: 'result', payout: (await handle.result()) as PayoutState };
  if (execution !== 'RUNNING') {
    const note = `the payout ended ${execution} without a result (payouts restart starts it again)`;
    return { source: 'visibility', indexed: payoutRow(description), note };
  }
  // A worker that stopped a moment ago still looks present: the query gets a short deadline of its own.
  const live =
    (await hasWorker(client, description.taskQueue)) &&
    (await client.connection
      .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(payoutStateQuery))
      .catch((err: unknown) => {
        if (isGrpcDeadlineError(err)) return undefined;
        throw err;
      }));
  if (live) return { source: 'live', payout: live };
  const note = 'no worker answered, so this is what Temporal indexed; the live state needs a running worker';
  return { source: 'visibility', indexed: payoutRow(description), note };
}

function payoutRow(w: Omit<WorkflowExecutionInfo, 'raw'>): PayoutRow {
  const sa = w.typedSearchAttributes;
  return {
    invoiceId: sa.get(InvoiceIdKey) ?? invoiceIdOfWorkflow(w.workflowId),
    status: sa.get(PayoutStatusKey),
    amountCents: sa.get(PayoutAmountKey),
    transferId: sa.get(TransferIdKey),
    startedAt: formatTime(w.startTime),
    workflowId: w.workflowId,
    execution: w.status.name,
  };
}

function renderShown(shown: Shown): string {
  if (shown.payout) return renderState(shown.payout);
  if (shown.record) return renderRecord(shown.record);
  const r = shown.indexed!;
  return formatFields([
    ['Invoice', r.invoiceId],
    ['Status', r.status],
    ['Amount', r.amountCents === undefined ? undefined : formatBRL(r.amountCents)],
    ['Transfer', r.transferId],
    ['Execution', r.execution],
    ['Note', shown.note],
  ]);
}

async function listPayouts(client: Client, status: PayoutStatus | undefined, limit: number): Promise<PayoutRow[]> {
  const rows: PayoutRow[] = [];
  for await (const w of client.workflow.list({ query: payoutListQuery({ status }), pageSize: Math.min(limit, 1000) })) {
    rows.push(payoutRow(w));
    if (rows.length >= limit) break;
  }
  // Visibility pages running payouts first, then closed ones by close time: sorted here by start, newest first.
  return rows.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

function renderRecord(r: DecisionRecordState): string {
  const fields = formatFields([
    ['Invoice', r.invoiceId],
    ['Payout', payoutFate(r)],
    [
      'Rejected',
      r.rejected && `by ${r.rejected.operator} at ${r.rejected.at}${r.rejected.note ? ` (${r.rejected.note})` : ''}`,
    ],
    [
      'Open cases',
      r.openCases.length > 0 ? r.openCases.map((c) => `${c.kind} since ${c.since}: ${c.reason}`).join('; ') : undefined,
    ],
    ['Loss acknowledged', r.acknowledgedLossCents === undefined ? undefined : formatBRL(r.acknowledgedLossCents)],
  ]);
  if (r.entries.length === 0) return fields;
  const entries = formatTable(r.entries, [
    { header: 'AT', value: (e) => e.at },
    { header: 'ACTION', value: (e) => e.action },
    { header: 'OPERATOR', value: (e) => e.operator },
    { header: 'CALLER', value: (e) => e.caller ?? '-' },
    { header: 'PAYOUT WAS', value: (e) => e.payoutStatus },
    { header: 'NOTE', value: (e) => e.note ?? '-' },
  ]);
  return `${fields}\n\n${entries}`;
}

/** Whether a payout that Temporal does not know ever ran: its decision record tells, as far as it can. */
function payoutFate(r: DecisionRecordState): string {
  const ran =
    r.entries.some((e) => e.action === 'restart' || !e.payoutStatus.startsWith('Missing')) ||
    r.openCases.some((c) => c.kind === 'credit-older-than-retention' || c.kind === 'closed-without-transfer');
  if (ran) return 'gone from Temporal (retention); its decision record remains';
  if (r.entries.length > 0 && r.entries.every((e) => e.payoutStatus === NEVER_STARTED))
    return 'never started: the invoice was never credited (decided on beforehand)';
  return 'not in Temporal: never started, or gone after retention; its decision record remains';
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
  const decisions = s.decisions.map(
    (d) => `${d.action} by ${d.operator}${d.caller ? ` [${d.caller}]` : ''} at ${d.at}${d.note ? ` (${d.note})` : ''}`,
  );
  const fields = formatFields([
    ['Invoice', s.invoiceId],
    ['Status', s.status],
    ['Reasons', s.reasons.length > 0 ? s.reasons.join('; ') : undefined],
    ['Credited', money(s.credited?.amount)],
    ['Fee', money(s.credited?.fee)],
    ['Net', money(s.netCents)],
    ['Reversed before sending', money(s.reversedCents)],
    ['To send', money(s.sendCents)],
    ['Reversal loss', money(s.reversalLossCents)],
    ['Waits for', s.waitsFor.length > 0 ? s.waitsFor.join(' or ') : undefined],
    ['Retrying', s.retrying],
    ['Decisions', decisions.length > 0 ? decisions.join('; ') : undefined],
    [
      'Held for',
      [...s.decisions]
        .reverse()
        .find((d) => d.heldFor)
        ?.heldFor?.join('; '),
    ],
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
  for (const status of WAITS_FOR_PERSON) {
    const query = payoutListQuery({ taskQueue, status, running: true });
    for await (const w of client.workflow.list({ query })) {
      const invoice = w.typedSearchAttributes.get(InvoiceIdKey) ?? invoiceIdOfWorkflow(w.workflowId);
      rows.push({
        invoiceId: invoice,
        waiting: status,
        amountCents: w.typedSearchAttributes.get(PayoutAmountKey),
        detail: 'payouts show for the reason',
        since: formatTime(w.startTime),
      });
    }
  }
  // The reasons live in each payout's state, which a worker answers; without one, the rows still list them.
  if (rows.length > 0 && (await hasWorker(client, taskQueue))) {
    await Promise.all(
      rows.map(async (row) => {
        const state = await client.connection
          .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
            client.workflow.getHandle(payoutWorkflowId(row.invoiceId)).query(payoutStateQuery),
          )
          .catch(() => undefined);
        if (state && state.reasons.length > 0) row.detail = state.reasons.join('; ');
      }),
    );
  }
  for (const c of await listOpenCases(client, taskQueue)) {
    rows.push({ invoiceId: c.invoiceId, waiting: `case: ${c.kind}`, detail: c.reason, since: c.since });
  }
  return rows;
}

function renderAttention({ pause, waiting: rows }: { pause: PauseStatus; waiting: AttentionRow[] }): string {
  // First line, always: whether anything can be sent at all.
  const banner = pause.paused ? `${pauseLine(pause)}.` : 'Payouts are not paused.';
  if (rows.length === 0) return `${banner}\nNothing waits for a person.`;
  return `${banner}\n\n${formatTable(rows, [
    { header: 'INVOICE', value: (r) => r.invoiceId },
    { header: 'WAITING', value: (r) => r.waiting },
    {
      header: 'AMOUNT',
      value: (r) => (r.amountCents === undefined ? '-' : formatBRL(r.amountCents)),
      align: 'right',
    },
    { header: 'SINCE', value: (r) => r.since },
    { header: 'DETAIL', value: (r) => r.detail },
  ])}`;
}

function renderDecision(action: OperatorAction, id: string, r: DecisionResult & { waitsForResume?: string }): string {
  const text = decisionText(action, id, r);
  return r.waitsForResume ? `${text}\nWarning: ${r.waitsForResume}; it will wait for resume.` : text;
}

function decisionText(action: OperatorAction, id: string, r: DecisionResult): string {
  if (r.applied === 'payout') return `${action}: payout of invoice ${id} accepted it (now ${r.state.status}).`;
  if (r.applied === 'restarted') return `restart: a new payout of invoice ${id} started (run ${r.runId}).`;
  if (action === 'acknowledge') return `acknowledge: recorded for invoice ${id}; its reversal case is closed.`;
  const first = r.alreadyRejected;
  const earlier = first ? ` It was already rejected by ${first.operator} at ${first.at}.` : '';
  return `${action}: recorded for invoice ${id} (payout ${r.payoutStatus}); nothing will start it on its own.${earlier}`;
}

function switchSetBy(p: PauseStatus): string {
  const caller = p.caller ? ` [${p.caller}]` : '';
  return `by ${p.by}${caller} since ${p.since}${p.note ? ` (${p.note})` : ''}`;
}

/** One line on the switch when it holds payouts: who and why, or what is wrong with it. */
function pauseLine(p: PauseStatus): string {
  return p.problem ? `Payouts wait: ${p.problem}` : `Payouts are PAUSED ${switchSetBy(p)}`;
}

function renderPauseStatus(p: PauseStatus): string {
  return formatFields([
    ['Payouts', p.problem ? `waiting (${p.problem})` : p.paused ? 'PAUSED: nothing is sent' : 'running'],
    [p.paused ? 'Paused by' : 'Resumed by', p.by && `${p.by}${p.caller ? ` [${p.caller}]` : ''}`],
    ['Since', p.since],
    ['Why', p.note],
  ]);
}
