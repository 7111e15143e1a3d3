import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import { ErrorTypes } from '../domain/errorTypes';
import { guardrailViolations } from '../domain/guardrails';
import { netCreditedAmount } from '../domain/money';
import { transferExternalId } from '../domain/payoutIds';
import {
  FINAL_TRANSFER_STATUSES,
  type CreditedEvent,
  type CreditedInvoice,
  type OperatorDecision,
  type PayoutInput,
  type PayoutState,
  type PayoutStatus,
  type TransferEvent,
  type TransferSnapshot,
} from '../domain/types';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../shared/searchAttributes';

/**
 * One payout per credited invoice (workflow id `payout-<invoiceId>`): re-read the invoice, check guardrails,
 * create exactly one transfer to the configured account, and follow it to `success` or `failed`.
 */

export const invoiceCreditedSignal = defineSignal<[CreditedEvent]>('invoiceCredited');
export const transferUpdatedSignal = defineSignal<[TransferEvent]>('transferUpdated');
/** Sent by the operator's "resume all payouts" so paused payouts go on at once instead of at their next check. */
export const resumeSignal = defineSignal('resume');
export const payoutStateQuery = defineQuery<PayoutState>('state');
export const approveUpdate = defineUpdate<PayoutState, [OperatorDecision]>('approve');
export const rejectUpdate = defineUpdate<PayoutState, [OperatorDecision]>('reject');
export const retryUpdate = defineUpdate<PayoutState, [OperatorDecision]>('retry');

const MAX_REMEMBERED_EVENTS = 200;

// Stark Bank reads: cheap and safe to retry for as long as it takes. Remote activities in v1 (payouts that started
// before v2 replay them), local ones from v2 on.
const api = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Version 2 of the payout (2026-11-28); payouts that started before it replay on the old branches (test/replay).
 * - The Stark Bank reads and the config/pause checks run as local activities, in the worker, inside the workflow
 *   task that needs them. A remote activity costs the server a schedule, a dispatch, a start, a completion and a
 *   new workflow task; a local one costs a marker. That was most of a payout's history writes, and the dev
 *   server's single SQLite connection is what a burst waits on (BENCHMARKS.md). Transfer creation stays a remote
 *   activity: it moves money, and its attempts and retries belong in the Web UI.
 * - Transfer events are counted per transfer, so an event that arrives before `createTransfer` has returned still
 *   wakes the payout; v1 missed it and waited for its next poll (up to ~30 s in a burst).
 */
export const PAYOUT_V2_PATCH = 'payout-v2';

const localApi = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Version 3 of the payout (2026-11-28), on top of v2:
 * - Fewer search-attribute writes. Each upsert is a history event plus a visibility row rewrite on the server (in a
 *   burst's `perf` profile, visibility upserts were a tenth of the dev server's CPU, BENCHMARKS.md). The dispatcher
 *   already sets `InvoiceId` and `PayoutStatus=Received` at start, so `InvoiceId` is written only when a starter
 *   left it out, and the amount goes out in the same upsert as the next status.
 * - Local reads that keep failing wait on a workflow timer once their backoff passes 10 s, instead of holding the
 *   workflow task open and renewing it every few seconds (37 renewals in one captured chaos history).
 */
export const PAYOUT_V3_PATCH = 'payout-v3';

const localApiV3 = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Transfer creation: retried without limit on transient errors; the activity looks up its externalId before
// creating, so a retry after a lost response finds the committed transfer instead of making a second one.
const money = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    // Unlimited attempts, at most a minute apart: an outage delays a payout by about a minute past its end.
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [ErrorTypes.input, ErrorTypes.notFound, ErrorTypes.unexpectedState],
  },
});

class Rejected extends Error {}

export async function payout(input: PayoutInput): Promise<PayoutState> {
  const v2 = patched(PAYOUT_V2_PATCH);
  const v3 = v2 && patched(PAYOUT_V3_PATCH);
  const reads = v3 ? localApiV3 : v2 ? localApi : api;
  const state: PayoutState = {
    invoiceId: input.invoiceId,
    status: 'Received',
    reasons: [],
    attempts: [],
    eventIds: [],
  };
  let creditedEvent: CreditedEvent | undefined;
  let transferEvents = 0; // v1: any new transfer event wakes the follow loop
  const eventsPerTransfer = new Map<string, number>(); // v2: only an event of the transfer being followed
  let resumeRequested = false;
  let decision: { action: 'approve' | 'reject' | 'retry'; by: OperatorDecision } | undefined;

  /** True the first time an event id is seen: Stark Bank delivers at least once, in any order. */
  const firstTime = (eventId: string): boolean => {
    if (state.eventIds.includes(eventId)) return false;
    state.eventIds = [...state.eventIds, eventId].slice(-MAX_REMEMBERED_EVENTS);
    return true;
  };
  /** Operator decisions are Updates: the caller learns at once whether the payout could take it. */
  const onDecision = (
    update: typeof approveUpdate,
    action: 'approve' | 'reject' | 'retry',
    allowed: readonly PayoutStatus[],
  ) =>
    setHandler(
      update,
      (by: OperatorDecision) => {
        decision = { action, by };
        state.decidedBy = { action, operator: by.operator, note: by.note };
        return state;
      },
      {
        validator: (_by: OperatorDecision) => {
          if (!allowed.includes(state.status)) throw new Error(`cannot ${action} a payout that is ${state.status}`);
        },
      },
    );

  setHandler(payoutStateQuery, () => state);
  setHandler(invoiceCreditedSignal, (event) => {
    if (firstTime(event.eventId)) creditedEvent ??= event;
  });
  setHandler(transferUpdatedSignal, (event) => {
    if (!firstTime(event.eventId)) return;
    transferEvents++;
    eventsPerTransfer.set(event.transferId, (eventsPerTransfer.get(event.transferId) ?? 0) + 1);
  });
  setHandler(resumeSignal, () => {
    resumeRequested = true;
  });
  onDecision(approveUpdate, 'approve', ['AwaitingApproval']);
  onDecision(rejectUpdate, 'reject', ['AwaitingApproval', 'NeedsAttention', 'TransferFailed']);
  onDecision(retryUpdate, 'retry', ['NeedsAttention', 'TransferFailed']);

  /** v3: attributes that go out with the next status change, in the same upsert. */
  const withNextStatus: SearchAttributeUpdatePair[] = [];
  const setStatus = (status: PayoutStatus, reasons: string[] = []) => {
    state.status = status;
    state.reasons = reasons;
    upsertSearchAttributes([...withNextStatus.splice(0), { key: PayoutStatusKey, value: status }]);
    log.info('payout status', { invoiceId: input.invoiceId, status, reasons });
  };

  /** Parks the payout until an operator decides; returns the decision. */
  const awaitDecision = async (status: PayoutStatus, reasons: string[]) => {
    decision = undefined;
    setStatus(status, reasons);
    await condition(() => decision !== undefined);
    const made = decision!;
    if (made.action === 'reject') throw new Rejected();
    return made;
  };

  /** Runs a step; a non-retryable failure parks the payout for an operator (retry runs the step again). */
  const step = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!isActivityError(err)) throw err;
        await awaitDecision('NeedsAttention', [failureMessage(err)]);
      }
    }
  };

  if (!v3 || workflowInfo().typedSearchAttributes.get(InvoiceIdKey) !== input.invoiceId) {
    upsertSearchAttributes([{ key: InvoiceIdKey, value: input.invoiceId }]);
  }
  try {
    const credited = await step(() => readCreditedInvoice(input.invoiceId));
    if (!credited) {
      setStatus('Invalid', [`invoice ${input.invoiceId} does not exist or was never credited`]);
      return state;
    }
    state.credited = credited;
    const net = netCreditedAmount(credited);
    state.netCents = net;
    if (v3) withNextStatus.push({ key: PayoutAmountKey, value: net });
    else upsertSearchAttributes([{ key: PayoutAmountKey, value: net }]);
    if (net <= 0) {
      setStatus('NothingToSend', [`credited ${credited.amount} minus fee ${credited.fee} leaves nothing to send`]);
      return state;
    }

    const violations = await step(async () =>
      guardrailViolations(
        { credited, event: creditedEvent, netCents: net, sentTodayCents: await reads.sumTransfersSentToday() },
        await reads.getGuardrailLimits(),
      ),
    );
    if (violations.length > 0) await awaitDecision('AwaitingApproval', violations);

    for (let attempt = 1; ; attempt++) {
      await waitWhilePaused();
      setStatus('Sending');
      const externalId = transferExternalId(input.invoiceId, attempt);
      const created = await step(() => money.createTransfer({ invoiceId: input.invoiceId, externalId, amount: net }));
      upsertSearchAttributes([{ key: TransferIdKey, value: created.id }]);
      const settled = await follow(created, attempt);
      if (settled.status === 'success') {
        setStatus('Succeeded');
        return state;
      }
      await awaitDecision('TransferFailed', [settled.failureReason ?? `transfer ${settled.id} ${settled.status}`]);
      // Retrying makes a new transfer under a derived externalId. Earlier attempts are final failures
      // (a failed transfer never succeeds later), so at most one transfer of this invoice can succeed.
    }
  } catch (err) {
    if (err instanceof Rejected) {
      setStatus('Rejected', state.reasons);
      return state;
    }
    throw err;
  }

  async function readCreditedInvoice(invoiceId: string): Promise<CreditedInvoice | undefined> {
    // The credited log may lag the event by a moment; give it a few tries before calling the payout invalid.
    for (let tries = 1; ; tries++) {
      try {
        return await reads.getCreditedInvoice(invoiceId);
      } catch (err) {
        const type = failureType(err);
        if (type === ErrorTypes.notFound) return undefined;
        if (type !== ErrorTypes.invoiceNotCredited) throw err;
        if (tries >= 6) return undefined;
        await sleep(`${5 * 2 ** tries} seconds`);
      }
    }
  }

  async function waitWhilePaused(): Promise<void> {
    while (await reads.arePayoutsPaused()) {
      resumeRequested = false;
      setStatus('Paused', ['an operator paused all payouts']);
      await condition(() => resumeRequested, '1 minute');
    }
  }

  /** Follows a transfer to a final status: transfer events wake it early, polling is the fallback. */
  async function follow(transfer: TransferSnapshot, attempt: number): Promise<TransferSnapshot> {
    let current = transfer;
    let seenOfThisTransfer = 0;
    let pollSeconds = input.poll?.firstSeconds ?? 2;
    const maxPollSeconds = input.poll?.maxSeconds ?? 600;
    for (;;) {
      state.attempts = [
        ...state.attempts.filter((a) => a.attempt !== attempt),
        {
          attempt,
          externalId: current.externalId,
          transferId: current.id,
          status: current.status,
          failureReason: current.failureReason,
        },
      ];
      if (FINAL_TRANSFER_STATUSES.includes(current.status)) return current;
      if (v2) {
        const { id } = current;
        await condition(() => (eventsPerTransfer.get(id) ?? 0) > seenOfThisTransfer, `${pollSeconds} seconds`);
        seenOfThisTransfer = eventsPerTransfer.get(id) ?? 0;
      } else {
        const seen = transferEvents;
        await condition(() => transferEvents > seen, `${pollSeconds} seconds`);
      }
      pollSeconds = Math.min(pollSeconds * 2, maxPollSeconds);
      // The API, not the event, is the source of truth for the transfer's status.
      current = (await reads.lookupTransfer(current.externalId)) ?? current;
    }
  }
}

/**
 * How an activity's failure reaches the workflow: a remote activity's as an ActivityFailure wrapping the activity's
 * ApplicationFailure, a local activity's (the v2 reads) as the ApplicationFailure itself. v2 only recognised the
 * first, so an unknown or not-yet-credited invoice failed the payout instead of ending it `Invalid` or waiting.
 */
function isActivityError(err: unknown): err is ActivityFailure | ApplicationFailure {
  return err instanceof ActivityFailure || err instanceof ApplicationFailure;
}

function failureType(err: unknown): string | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure ? (failure.type ?? undefined) : undefined;
}

function failureMessage(err: ActivityFailure | ApplicationFailure): string {
  return err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : err.message;
}
