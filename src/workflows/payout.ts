import {
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration, SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import { ErrorTypes } from '../domain/errorTypes';
import { dailyMaxReason, guardrailViolations } from '../domain/guardrails';
import { formatBRL, netCreditedAmount, overSentCents, owedCents } from '../domain/money';
import { transferExternalId } from '../domain/payoutIds';
import { FINAL_TRANSFER_STATUSES, type CreditedInvoice, type TransferSnapshot } from '../domain/types';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../temporal/searchAttributes';
import type { DecisionEntry } from './decisionRecordDefinitions';
import { Setback, setbackOf } from './setback';
import {
  approveUpdate,
  CARRYING_OUT,
  invoiceCreditedSignal,
  lookUpTransferSignal,
  payoutStateQuery,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
  transferUpdatedSignal,
  type CreditedEvent,
  type DecisionAction,
  type OperatorDecision,
  type Parked,
  type PayoutInput,
  type PayoutPhase,
  type PayoutState,
  type PayoutStatus,
} from './payoutDefinitions';

const MAX_REMEMBERED_EVENTS = 200;
const DEFAULT_HISTORY_LIMIT = 10_000;
// Errors a retry cannot fix: they go to a person at once instead of after the retries.
const NON_RETRYABLE = [ErrorTypes.input, ErrorTypes.notFound, ErrorTypes.unexpectedState, ErrorTypes.paused];

// Reads run as local activities: a marker in history instead of a scheduled task. Past 10 s of backoff a retry
// waits on a workflow timer. After a few attempts the workflow itself decides: wait longer, or ask a person.
const reads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [...NON_RETRYABLE, ErrorTypes.invoiceNotCredited],
  },
});

// Writes (the transfer, the budget, the decision record) are ordinary activities, so their attempts show in the
// Web UI. The transfer is looked up by externalId before it is created, so a retry never sends twice.
const writes = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** How a phase ended: the payout is done, moves on, or waits for a person. */
type Next = { done: true } | { done: false; phase: PayoutPhase } | { done: false; park: Parked; status: PayoutStatus };

class Done extends Error {}

/**
 * One payout per credited invoice (workflow id `payout-<invoiceId>`): re-read the invoice, check guardrails,
 * create exactly one successful transfer to the configured account, and follow it to its end. Whatever cannot
 * proceed waits, visibly, for a person; the payout never fails, and a long wait continues as new.
 */
export async function payout(input: PayoutInput): Promise<PayoutState> {
  const { invoiceId } = input;
  const carried = input.carried;
  const state: PayoutState = carried?.state ?? {
    invoiceId,
    status: 'Received',
    reasons: [],
    attempts: [],
    eventIds: [],
    awaiting: [],
    decisions: [],
  };
  let phase: PayoutPhase = carried?.phase ?? { name: 'check' };
  let parked: Parked | undefined = carried?.parked;
  let creditedEvent: CreditedEvent | undefined = carried?.creditedEvent;
  let budgetForced = carried?.budgetForced ?? false;
  let budgetDay = carried?.budgetDay;
  let decision: { action: DecisionAction; entry: DecisionEntry } | undefined = carried?.decision;
  let resumeRequested = false;
  let lookUpRequests = 0;
  const eventsPerTransfer = new Map<string, number>();

  /** True the first time an event id is seen: Stark Bank delivers at least once, in any order. */
  const firstTime = (eventId: string): boolean => {
    if (state.eventIds.includes(eventId)) return false;
    state.eventIds = [...state.eventIds, eventId].slice(-MAX_REMEMBERED_EVENTS);
    return true;
  };

  // Each upsert is a visibility write on the server: attributes wait for the next status change and go with it.
  const withNextStatus: SearchAttributeUpdatePair[] = [];
  const setStatus = (status: PayoutStatus, reasons: string[] = []) => {
    const changed = status !== state.status || withNextStatus.length > 0;
    state.status = status;
    state.reasons = reasons;
    if (changed) {
      upsertSearchAttributes([...withNextStatus.splice(0), { key: PayoutStatusKey, value: status }]);
      log.info('payout status', { invoiceId, status, reasons });
    }
  };

  /** Operator decisions are Updates, accepted only while the payout waits for that very decision. */
  const onDecision = (update: typeof approveUpdate, action: DecisionAction) =>
    setHandler(
      update,
      (by: OperatorDecision) => {
        const entry: DecisionEntry = {
          id: `${workflowInfo().runId}/${currentUpdateInfo()?.id ?? state.decisions.length}`,
          action,
          operator: by.operator,
          note: by.note,
          at: new Date().toISOString(),
          payoutStatus: state.status,
        };
        state.awaiting = [];
        state.decisions = [...state.decisions, entry];
        decision = { action, entry };
        setStatus(CARRYING_OUT[action], state.reasons);
        return state;
      },
      {
        validator: (_by: OperatorDecision) => {
          if (state.awaiting.includes(action)) return;
          const why =
            state.awaiting.length > 0 ? `it waits for ${state.awaiting.join(' or ')}` : 'it waits for no decision';
          throw new Error(`cannot ${action} a payout that is ${state.status}: ${why}`);
        },
      },
    );

  setHandler(payoutStateQuery, () => state);
  setHandler(invoiceCreditedSignal, (event) => {
    if (firstTime(event.eventId)) creditedEvent ??= event;
  });
  setHandler(transferUpdatedSignal, (event) => {
    if (!firstTime(event.eventId)) return;
    eventsPerTransfer.set(event.transferId, (eventsPerTransfer.get(event.transferId) ?? 0) + 1);
  });
  setHandler(resumeSignal, () => {
    resumeRequested = true;
  });
  setHandler(lookUpTransferSignal, () => {
    lookUpRequests++;
  });
  onDecision(approveUpdate, 'approve');
  onDecision(rejectUpdate, 'reject');
  onDecision(retryUpdate, 'retry');

  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const mustContinueAsNew = () =>
    (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit) && allHandlersFinished();

  /**
   * Waits for `ready` or the timeout; when history has grown too long meanwhile, continues as new from the current
   * phase (every phase can be run again from its start) and never returns.
   */
  const waitFor = async (ready: () => boolean, timeout?: Duration): Promise<boolean> => {
    const wake = () => ready() || mustContinueAsNew();
    await (timeout === undefined ? condition(wake) : condition(wake, timeout));
    if (!ready() && mustContinueAsNew()) {
      await continueAsNew<typeof payout>({
        ...input,
        carried: { state, phase, parked, creditedEvent, budgetForced, budgetDay, decision },
      });
    }
    return ready();
  };

  /** Runs one step of a phase; a failure ends the phase with what it means, not the workflow. */
  const step = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      const value = await fn();
      state.retrying = undefined;
      return value;
    } catch (err) {
      throw setbackOf(err);
    }
  };

  if (!carried) {
    // The dispatcher sets InvoiceId at start; other starters (an operator, tests) may not.
    if (workflowInfo().typedSearchAttributes.get(InvoiceIdKey) !== invoiceId) {
      upsertSearchAttributes([{ key: InvoiceIdKey, value: invoiceId }]);
    }
    if (input.restartedBy) state.decisions = [input.restartedBy];
  }

  try {
    if (!carried && !input.restartedBy) await honourEarlierRejection();
    let transientWaitSeconds = 30;
    for (;;) {
      if (parked) {
        await waitForDecision(parked);
        continue;
      }
      let next: Next;
      try {
        next = await runPhase(phase);
        transientWaitSeconds = 30;
      } catch (err) {
        if (!(err instanceof Setback)) throw err;
        if (err.kind === 'paused') continue; // the send phase waits while paused
        if (err.kind === 'transient') {
          // Stark Bank or Temporal is down: wait and run the phase again; nobody needs to act.
          state.retrying = err.message;
          await waitFor(() => false, `${transientWaitSeconds} seconds`);
          transientWaitSeconds = Math.min(transientWaitSeconds * 2, 600);
          continue;
        }
        next = { done: false, park: { awaiting: ['retry', 'reject'], resume: phase }, status: 'NeedsAttention' };
        state.reasons = [err.message];
      }
      if (next.done) return state;
      if ('park' in next) {
        parked = next.park;
        state.awaiting = next.park.awaiting;
        setStatus(next.status, state.reasons);
      } else {
        phase = next.phase;
      }
    }
  } catch (err) {
    if (err instanceof Done) return state;
    throw err;
  }

  /** A payout that an operator rejected stays rejected, even after Temporal forgot its earlier run. */
  async function honourEarlierRejection(): Promise<void> {
    for (let waitSeconds = 30; ; waitSeconds = Math.min(waitSeconds * 2, 600)) {
      try {
        const record = await step(() => reads.getDecisionRecord(invoiceId));
        if (!record?.rejected) return;
        const { operator, at, note } = record.rejected;
        setStatus('Rejected', [`rejected by ${operator} at ${at}${note ? `: ${note}` : ''}`]);
        throw new Done();
      } catch (err) {
        if (!(err instanceof Setback)) throw err;
        state.retrying = err.message;
        await waitFor(() => false, `${waitSeconds} seconds`);
      }
    }
  }

  /** Parks the payout until an operator decides, then carries the decision out. */
  async function waitForDecision(waiting: Parked): Promise<void> {
    await waitFor(() => decision !== undefined);
    const made = decision!;
    // Recorded before it is acted on, so the decision outlives this payout whatever happens next.
    for (let waitSeconds = 30; ; waitSeconds = Math.min(waitSeconds * 2, 600)) {
      try {
        await step(() => writes.recordDecision({ invoiceId, entry: made.entry }));
        break;
      } catch (err) {
        if (!(err instanceof Setback)) throw err;
        state.retrying = err.message;
        await waitFor(() => false, `${waitSeconds} seconds`);
      }
    }
    decision = undefined;
    parked = undefined;
    if (made.action === 'reject') {
      setStatus('Rejected', state.reasons);
      throw new Done();
    }
    if (made.action === 'approve' && waiting.approveForcesBudget) budgetForced = true;
    phase = waiting.resume;
  }

  async function runPhase(current: PayoutPhase): Promise<Next> {
    if (current.name === 'check') return check();
    if (current.name === 'send') return send(current.attempt);
    return follow(current.attempt, current.transfer, current.pollSeconds);
  }

  /** Reads the credited invoice, takes over what earlier runs sent, and applies the guardrails. */
  async function check(): Promise<Next> {
    const credited = await readCreditedInvoice();
    if (!credited) {
      setStatus('Invalid', [`invoice ${invoiceId} does not exist or was never credited`]);
      return { done: true };
    }
    state.credited = credited;
    const net = netCreditedAmount(credited);
    state.netCents = net;
    if (net <= 0) {
      showAmount(net);
      setStatus('NothingToSend', [`credited ${credited.amount} minus fee ${credited.fee} leaves nothing to send`]);
      return { done: true };
    }
    // An earlier run of this payout (restarted, or gone with Temporal's retention) may have sent already.
    const earlier = await step(() => reads.findTransfersOfInvoice(invoiceId));
    for (const t of earlier) recordAttempt(t.attempt, t);
    const succeeded = earlier.find((t) => t.status === 'success');
    if (succeeded) {
      noteSent(succeeded);
      const loss = await noteReversalAfterSend(succeeded, credited);
      setStatus('Succeeded', [`transfer ${succeeded.id} was made by an earlier run of this payout`, ...loss]);
      return { done: true };
    }
    const inFlight = earlier.find((t) => !FINAL_TRANSFER_STATUSES.includes(t.status));
    if (inFlight) {
      noteSent(inFlight);
      return { done: false, phase: followPhase(inFlight.attempt, inFlight) };
    }
    const attempt = Math.max(0, ...earlier.map((t) => t.attempt)) + 1;

    // Reversals so far are not sent; the create reads them again right before it sends.
    const owed = noteOwed(credited);
    if (owed <= 0) {
      setStatus('NothingToSend', [nothingLeft(credited)]);
      return { done: true };
    }

    const limits = await step(() => reads.getGuardrailLimits());
    const violations = guardrailViolations({ credited, event: creditedEvent, netCents: owed }, limits);
    if (violations.length > 0) {
      state.reasons = violations;
      return {
        done: false,
        park: { awaiting: ['approve', 'reject'], resume: { name: 'send', attempt } },
        status: 'AwaitingApproval',
      };
    }
    return { done: false, phase: { name: 'send', attempt } };
  }

  /** The pause switch and the daily maximum are checked right before the transfer is created, never earlier. */
  async function send(attempt: number): Promise<Next> {
    await waitWhilePaused();
    const externalId = transferExternalId(invoiceId, attempt);
    const amount = state.sendCents!;
    const grant = await step(() => writes.reserveDailyBudget({ externalId, invoiceId, amount, force: budgetForced }));
    if (!grant.granted) {
      state.reasons = [dailyMaxReason(grant.totalCents, grant.maxCents)];
      const park = {
        awaiting: ['approve', 'reject'],
        resume: { name: 'send', attempt },
        approveForcesBudget: true,
      } as const;
      return { done: false, park: { ...park, awaiting: [...park.awaiting] }, status: 'AwaitingApproval' };
    }
    budgetDay = grant.day;
    setStatus('Sending');
    // The create reads the invoice again and sends what is owed then, at most the amount granted.
    const result = await step(() => writes.createTransfer({ invoiceId, externalId, maxAmount: amount }));
    if (result.outcome === 'nothing-left') {
      const day = budgetDay;
      await step(() => writes.releaseDailyBudget({ externalId, day }));
      state.credited = result.credited;
      noteOwed(result.credited);
      setStatus('NothingToSend', [nothingLeft(result.credited)]);
      return { done: true };
    }
    const created = result.transfer;
    noteSent(created);
    upsertSearchAttributes([...withNextStatus.splice(0), { key: TransferIdKey, value: created.id }]);
    return { done: false, phase: followPhase(attempt, created) };
  }

  function followPhase(attempt: number, transfer: TransferSnapshot): PayoutPhase {
    return { name: 'follow', attempt, transfer, pollSeconds: input.poll?.firstSeconds ?? 2 };
  }

  /** Follows a transfer to a final status: its events wake the payout early, polling is the fallback. */
  async function follow(attempt: number, transfer: TransferSnapshot, firstPoll: number): Promise<Next> {
    let current = transfer;
    let pollSeconds = firstPoll;
    const maxPollSeconds = input.poll?.maxSeconds ?? 600;
    // Counted per transfer from the start, so an event that arrived before createTransfer returned wakes the loop.
    let seenEvents = 0;
    let seenRequests = 0;
    for (;;) {
      recordAttempt(attempt, current);
      phase = { name: 'follow', attempt, transfer: current, pollSeconds };
      if (current.status === 'success') {
        const loss = await noteReversalAfterSend(current);
        setStatus('Succeeded', loss);
        return { done: true };
      }
      if (current.status === 'failed' || current.status === 'canceled') {
        if (budgetDay) {
          const day = budgetDay;
          await step(() => writes.releaseDailyBudget({ externalId: current.externalId, day }));
        }
        state.reasons = [current.failureReason ?? `transfer ${current.id} ${current.status}`];
        // A retry makes a new transfer under a derived externalId. Earlier attempts are final failures
        // (a failed transfer never succeeds later), so at most one transfer of this invoice can succeed.
        return {
          done: false,
          park: { awaiting: ['retry', 'reject'], resume: { name: 'send', attempt: attempt + 1 } },
          status: 'TransferFailed',
        };
      }
      if (current.status === 'unknown') {
        state.reasons = [`transfer ${current.id} has status "${current.rawStatus}", which the product does not know`];
        return { done: false, park: { awaiting: ['retry', 'reject'], resume: phase }, status: 'NeedsAttention' };
      }
      const { id } = current;
      await waitFor(
        () => (eventsPerTransfer.get(id) ?? 0) > seenEvents || lookUpRequests > seenRequests,
        `${pollSeconds} seconds`,
      );
      seenEvents = eventsPerTransfer.get(id) ?? 0;
      seenRequests = lookUpRequests;
      pollSeconds = Math.min(pollSeconds * 2, maxPollSeconds);
      // The API, not the event, is the source of truth for the transfer's status.
      current = (await step(() => reads.lookupTransfer(current.externalId))) ?? current;
    }
  }

  /** The amount visibility shows (PayoutAmount), with the next status change. */
  function showAmount(cents: number): void {
    const at = withNextStatus.findIndex((p) => p.key.name === PayoutAmountKey.name);
    if (at >= 0) withNextStatus.splice(at, 1);
    withNextStatus.push({ key: PayoutAmountKey, value: cents });
  }

  /** What is owed before sending: credited − fee − reversed so far, shown as the amount to send. */
  function noteOwed(credited: CreditedInvoice): number {
    const owed = owedCents(credited);
    state.reversedCents = credited.reversedCents > 0 ? credited.reversedCents : undefined;
    state.sendCents = Math.max(0, owed);
    showAmount(state.sendCents);
    return owed;
  }

  /** A transfer sent what was owed when it was made: the rest of the net had been reversed before it. */
  function noteSent(t: TransferSnapshot): void {
    const net = state.netCents ?? t.amount;
    state.sendCents = t.amount;
    state.reversedCents = net > t.amount ? net - t.amount : undefined;
    showAmount(t.amount);
  }

  function nothingLeft(c: CreditedInvoice): string {
    return (
      `credited ${formatBRL(c.amount)} minus fee ${formatBRL(c.fee)} minus ${formatBRL(c.reversedCents)} ` +
      'reversed by the payer leaves nothing to send'
    );
  }

  /**
   * Reads the invoice once more after its transfer succeeded. A reversal since the create left with the transfer
   * and cannot be pulled back: the loss goes to a person (a case on the decision record) with its metric. Best
   * effort: reconciliation finds what this misses, and every reversal that comes after the payout closed.
   */
  async function noteReversalAfterSend(t: TransferSnapshot, justRead?: CreditedInvoice): Promise<string[]> {
    let owed: number;
    try {
      owed = owedCents(justRead ?? (await step(() => reads.getCreditedInvoice(invoiceId))));
    } catch (err) {
      if (!(err instanceof Setback)) throw err;
      log.warn('could not look for a reversal after the transfer; reconciliation will', { invoiceId });
      return [];
    }
    const loss = overSentCents(t.amount, owed);
    if (loss <= 0) return [];
    state.reversedAfterSendCents = loss;
    const reason = `${formatBRL(loss)} of transfer ${t.id} was reversed by the payer after it was made`;
    const found = { invoiceId, transferId: t.id, sentCents: t.amount, owedCents: owed, lossCents: loss };
    try {
      await step(() => writes.recordReversalLoss(found));
    } catch (err) {
      if (!(err instanceof Setback)) throw err;
      log.warn('could not open the case of a reversal after the transfer; reconciliation will', { invoiceId });
    }
    return [reason];
  }

  function recordAttempt(attempt: number, t: TransferSnapshot): void {
    state.attempts = [
      ...state.attempts.filter((a) => a.attempt !== attempt),
      { attempt, externalId: t.externalId, transferId: t.id, status: t.status, failureReason: t.failureReason },
    ].sort((a, b) => a.attempt - b.attempt);
  }

  /** The pause switch, read right before sending; one that cannot be read counts as on. */
  async function waitWhilePaused(): Promise<void> {
    for (let waitSeconds = 30; ; waitSeconds = Math.min(waitSeconds * 2, 1_800)) {
      const pause = await step(() => reads.readPauseSwitch());
      if (!pause.paused) return;
      setStatus('Paused', [pause.reason ?? 'an operator paused all payouts']);
      resumeRequested = false;
      await waitFor(() => resumeRequested, `${waitSeconds} seconds`);
    }
  }

  async function readCreditedInvoice(): Promise<CreditedInvoice | undefined> {
    // The credited log may lag the event, and a 404 may come from something between us and the API: both get a
    // few waits over several minutes before the payout calls the invoice invalid.
    const { firstSeconds, waits } = input.creditWait ?? { firstSeconds: 10, waits: 5 };
    for (let wait = 0; ; wait++) {
      try {
        return await step(() => reads.getCreditedInvoice(invoiceId));
      } catch (err) {
        if (!(err instanceof Setback) || !NOT_YET.includes(err.errorType ?? '')) throw err;
        if (wait >= waits) return undefined;
        await waitFor(() => false, `${firstSeconds * 2 ** wait} seconds`);
      }
    }
  }
}

const NOT_YET: string[] = [ErrorTypes.notFound, ErrorTypes.invoiceNotCredited];
