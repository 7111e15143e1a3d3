import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
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
import { FINAL_TRANSFER_STATUSES, type CreditedInvoice, type TransferSnapshot } from '../domain/types';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../temporal/searchAttributes';
import {
  approveUpdate,
  invoiceCreditedSignal,
  payoutStateQuery,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
  transferUpdatedSignal,
  type CreditedEvent,
  type DecisionAction,
  type OperatorDecision,
  type PayoutInput,
  type PayoutState,
  type PayoutStatus,
} from './payoutDefinitions';

const MAX_REMEMBERED_EVENTS = 200;

// Reads (invoice, daily total, limits, pause switch, transfer lookups) run as local activities: a marker in
// history instead of a scheduled task. Past 10 s of backoff a retry waits on a workflow timer, so a long outage
// does not hold the workflow task open.
const reads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Transfer creation moves money: an ordinary activity, so its attempts show in the Web UI. It looks its
// externalId up before creating, so a retry after a lost response finds the committed transfer.
const money = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [ErrorTypes.input, ErrorTypes.notFound, ErrorTypes.unexpectedState],
  },
});

class Rejected extends Error {}

/**
 * One payout per credited invoice (workflow id `payout-<invoiceId>`): re-read the invoice, check guardrails,
 * create exactly one transfer to the configured account, and follow it to `success` or `failed`.
 */
export async function payout(input: PayoutInput): Promise<PayoutState> {
  const state: PayoutState = {
    invoiceId: input.invoiceId,
    status: 'Received',
    reasons: [],
    attempts: [],
    eventIds: [],
  };
  let creditedEvent: CreditedEvent | undefined;
  const eventsPerTransfer = new Map<string, number>();
  let resumeRequested = false;
  let decision: { action: DecisionAction; by: OperatorDecision } | undefined;

  /** True the first time an event id is seen: Stark Bank delivers at least once, in any order. */
  const firstTime = (eventId: string): boolean => {
    if (state.eventIds.includes(eventId)) return false;
    state.eventIds = [...state.eventIds, eventId].slice(-MAX_REMEMBERED_EVENTS);
    return true;
  };
  /** Operator decisions are Updates: the caller learns at once whether the payout could take it. */
  const onDecision = (update: typeof approveUpdate, action: DecisionAction, allowed: readonly PayoutStatus[]) =>
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
    eventsPerTransfer.set(event.transferId, (eventsPerTransfer.get(event.transferId) ?? 0) + 1);
  });
  setHandler(resumeSignal, () => {
    resumeRequested = true;
  });
  onDecision(approveUpdate, 'approve', ['AwaitingApproval']);
  onDecision(rejectUpdate, 'reject', ['AwaitingApproval', 'NeedsAttention', 'TransferFailed']);
  onDecision(retryUpdate, 'retry', ['NeedsAttention', 'TransferFailed']);

  // Each upsert is a visibility write on the server: attributes wait for the next status change and go with it.
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

  // The dispatcher sets InvoiceId at start; other starters (tests, an operator) may not.
  if (workflowInfo().typedSearchAttributes.get(InvoiceIdKey) !== input.invoiceId) {
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
    withNextStatus.push({ key: PayoutAmountKey, value: net });
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
      // A retry makes a new transfer under a derived externalId. Earlier attempts are final failures
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

  /** Follows a transfer to a final status: its events wake the payout early, polling is the fallback. */
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
      const { id } = current;
      // Counted per transfer, so an event that arrived before createTransfer returned still wakes the loop.
      await condition(() => (eventsPerTransfer.get(id) ?? 0) > seenOfThisTransfer, `${pollSeconds} seconds`);
      seenOfThisTransfer = eventsPerTransfer.get(id) ?? 0;
      pollSeconds = Math.min(pollSeconds * 2, maxPollSeconds);
      // The API, not the event, is the source of truth for the transfer's status.
      current = (await reads.lookupTransfer(current.externalId)) ?? current;
    }
  }
}

/**
 * An activity's failure reaches the workflow as an ActivityFailure wrapping the activity's ApplicationFailure,
 * and a local activity's as the ApplicationFailure itself.
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
