// How `ops payouts` prints what it read or decided, for a person (--json prints the values themselves).
import { formatBRL } from '../domain/money';
import type { PauseStatus } from '../decisions/pauseSwitch';
import { NEVER_STARTED, type DecisionResult } from '../decisions/operatorDecisions';
import type { DecisionEntry, DecisionRecordState, OperatorAction } from '../workflows/decisionRecordDefinitions';
import type { PayoutState } from '../workflows/payoutDefinitions';
import { formatFields, formatTable } from './output';
import type { AttentionRow, PayoutRow, Shown } from './payoutReads';

export function renderShown(shown: Shown): string {
  if (shown.payout) return renderState(shown.payout, shown.decisions ?? shown.payout.decisions);
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

export function renderList(rows: PayoutRow[]): string {
  if (rows.length === 0) return 'No payouts found.';
  return formatTable(rows, [
    { header: 'INVOICE', value: (r) => r.invoiceId },
    { header: 'STATUS', value: (r) => r.status ?? '-' },
    { header: 'AMOUNT', value: (r) => (r.amountCents === undefined ? '-' : formatBRL(r.amountCents)), align: 'right' },
    { header: 'TRANSFER', value: (r) => r.transferId ?? '-' },
    { header: 'STARTED', value: (r) => r.startedAt },
  ]);
}

function renderState(s: PayoutState, all: DecisionEntry[]): string {
  const money = (cents: number | undefined) => (cents === undefined ? undefined : formatBRL(cents));
  const decisions = all.map(
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

export function renderAttention({ pause, waiting: rows }: { pause: PauseStatus; waiting: AttentionRow[] }): string {
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

export function renderDecision(
  action: OperatorAction,
  id: string,
  r: DecisionResult & { waitsForResume?: string },
): string {
  const text = decisionText(action, id, r);
  return r.waitsForResume ? `${text}\nWarning: ${r.waitsForResume}; it will wait for resume.` : text;
}

function decisionText(action: OperatorAction, id: string, r: DecisionResult): string {
  if (r.applied === 'payout') {
    // An approval that leaves it waiting says for whom (four eyes: a second operator).
    const waits = r.state.status === 'AwaitingApproval' ? `: ${r.state.reasons.at(-1)}` : '';
    return `${action}: payout of invoice ${id} accepted it (now ${r.state.status}${waits}).`;
  }
  if (r.applied === 'restarted') return `restart: a new payout of invoice ${id} started (run ${r.runId}).`;
  if (action === 'acknowledge') return `acknowledge: recorded for invoice ${id}; its reversal case is closed.`;
  const first = r.alreadyRejected;
  const earlier = first ? ` It was already rejected by ${first.operator} at ${first.at}.` : '';
  return `${action}: recorded for invoice ${id} (payout ${r.payoutStatus}); nothing will start it on its own.${earlier}`;
}

export function switchSetBy(p: PauseStatus): string {
  const caller = p.caller ? ` [${p.caller}]` : '';
  return `by ${p.by}${caller} since ${p.since}${p.note ? ` (${p.note})` : ''}`;
}

/** One line on the switch when it holds payouts: who and why, or what is wrong with it. */
export function pauseLine(p: PauseStatus): string {
  return p.problem ? `Payouts wait: ${p.problem}` : `Payouts are PAUSED ${switchSetBy(p)}`;
}

export function renderPauseStatus(p: PauseStatus): string {
  return formatFields([
    ['Payouts', p.problem ? `waiting (${p.problem})` : p.paused ? 'PAUSED: nothing is sent' : 'running'],
    [p.paused ? 'Paused by' : 'Resumed by', p.by && `${p.by}${p.caller ? ` [${p.caller}]` : ''}`],
    ['Since', p.since],
    ['Why', p.note],
  ]);
}
