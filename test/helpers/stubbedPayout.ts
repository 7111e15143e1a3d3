import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/activities';
import type { ReversalLoss } from '../../src/decisions/records';
import { ErrorTypes } from '../../src/domain/errorTypes';
import { owedCents } from '../../src/domain/money';
import type { GuardrailLimits } from '../../src/domain/guardrails';
import { payoutWorkflowId } from '../../src/domain/payoutIds';
import type { CreditedInvoice, TransferSnapshot } from '../../src/domain/types';
import type { ReserveAnswer } from '../../src/workflows/dailyBudgetDefinitions';
import type { DecisionEntry, DecisionRecordState } from '../../src/workflows/decisionRecordDefinitions';
import { payout } from '../../src/workflows/payout';
import {
  invoiceCreditedSignal,
  payoutStateQuery,
  type CreditedEvent,
  type PayoutInput,
  type PayoutState,
  type PayoutStatus,
} from '../../src/workflows/payoutDefinitions';
import { eventually, withWorker } from './temporal';
import { workflowsPath } from './payouts';

/** The activities a payout calls, as plain functions a test replaces. */
export type PayoutActivities = Pick<
  Activities,
  | 'getDecisionRecord'
  | 'recordDecision'
  | 'getCreditedInvoice'
  | 'findTransfersOfInvoice'
  | 'getGuardrailLimits'
  | 'readPauseSwitch'
  | 'reserveDailyBudget'
  | 'releaseDailyBudget'
  | 'createTransfer'
  | 'lookupTransfer'
  | 'recordReversalLoss'
>;

type Outcome = { status: TransferSnapshot['status']; failureReason?: string; rawStatus?: string };

/**
 * A scripted Stark Bank and Temporal side for one payout: the invoice it credited, the limits, the pause switch,
 * the day's budget, the decision record, and transfers that settle as each test says. Every call is recorded, so
 * tests assert what the workflow asked for.
 */
export class StubBank {
  /** The invoice as the API has it now; `reversedCents` may grow while a payout runs, as a payer's reversal. */
  credited: CreditedInvoice | 'not-found' = { invoiceId: '', amount: 10_000, fee: 0, status: 'paid', reversedCents: 0 };
  limits: GuardrailLimits = { maxAmountCents: 1_000_000, dailyMaxCents: 10_000_000 };
  paused: boolean | 'unreadable' = false;
  /** The day's total before this payout, against `limits.dailyMaxCents`. */
  sentToday = 0;
  /** How each created transfer ends when looked up, in creation order; the last one repeats. */
  outcomes: Outcome[] = [{ status: 'success' }];
  /** Failures createTransfer throws before it succeeds, one per call. */
  createFailures: ApplicationFailure[] = [];
  /** Failures lookupTransfer throws, one per call. */
  lookupFailures: ApplicationFailure[] = [];
  /** Transfers earlier runs of the payout made, as Stark Bank lists them. */
  earlier: (TransferSnapshot & { attempt: number })[] = [];
  /** Resolves createTransfer calls only when released (to hold a payout in the middle of sending). */
  createGate: Promise<void> = Promise.resolve();
  record: DecisionRecordState | null = null;
  /** What each create sent: the amount is what was owed at that moment, at most the `maxAmount` asked. */
  readonly created: { invoiceId: string; externalId: string; amount: number }[] = [];
  readonly losses: ReversalLoss[] = [];
  readonly lookups: string[] = [];
  readonly reservations: { externalId: string; amount: number; force: boolean }[] = [];
  readonly released: string[] = [];
  readonly recorded: DecisionEntry[] = [];
  private readonly transfers = new Map<string, TransferSnapshot>();

  /** Only the functions, as the worker wants them. */
  activities(): PayoutActivities {
    return {
      getDecisionRecord: () => Promise.resolve(this.record),
      recordDecision: ({ entry }) => {
        this.recorded.push(entry);
        return Promise.resolve();
      },
      getCreditedInvoice: (invoiceId) => {
        if (this.credited === 'not-found') {
          return Promise.reject(ApplicationFailure.nonRetryable(`get invoice ${invoiceId}: 404`, ErrorTypes.notFound));
        }
        return Promise.resolve({ ...this.credited, invoiceId });
      },
      findTransfersOfInvoice: () => Promise.resolve(this.earlier),
      getGuardrailLimits: () => Promise.resolve(this.limits),
      readPauseSwitch: () =>
        Promise.resolve(
          this.paused === 'unreadable'
            ? { paused: true, reason: 'there is no pause switch: run setup' }
            : { paused: this.paused, reason: this.paused ? 'an operator paused all payouts' : undefined },
        ),
      reserveDailyBudget: (request) => Promise.resolve(this.reserve(request)),
      releaseDailyBudget: ({ externalId }) => {
        this.released.push(externalId);
        return Promise.resolve();
      },
      createTransfer: async ({ invoiceId, externalId, maxAmount }) => {
        await this.createGate;
        const failure = this.createFailures.shift();
        if (failure) throw failure;
        const credited = this.credited === 'not-found' ? undefined : { ...this.credited, invoiceId };
        if (!credited) throw ApplicationFailure.nonRetryable(`get invoice ${invoiceId}: 404`, ErrorTypes.notFound);
        const owed = owedCents(credited);
        if (owed <= 0) return { outcome: 'nothing-left', credited };
        const amount = Math.min(owed, maxAmount);
        this.created.push({ invoiceId, externalId, amount });
        const transfer: TransferSnapshot = { id: `t${this.created.length}`, externalId, amount, status: 'created' };
        this.transfers.set(externalId, transfer);
        return { outcome: 'transfer', transfer };
      },
      recordReversalLoss: (loss) => {
        this.losses.push(loss);
        return Promise.resolve('case-opened');
      },
      lookupTransfer: (externalId) => {
        this.lookups.push(externalId);
        const failure = this.lookupFailures.shift();
        if (failure) return Promise.reject(failure);
        const transfer = this.transfers.get(externalId);
        if (!transfer) return Promise.resolve(null);
        const index = Number(transfer.id.slice(1)) - 1;
        const outcome = this.outcomes[Math.min(index, this.outcomes.length - 1)]!;
        return Promise.resolve({ ...transfer, ...outcome });
      },
    };
  }

  private reserve(request: { externalId: string; amount: number; force: boolean }): ReserveAnswer {
    const reserved = this.reservations.reduce((sum, r) => sum + r.amount, 0);
    const totalCents = this.sentToday + reserved + request.amount;
    const answer = { totalCents, maxCents: this.limits.dailyMaxCents, day: '2026-11-29' };
    if (!request.force && totalCents > this.limits.dailyMaxCents) return { ...answer, granted: false };
    this.reservations.push(request);
    return { ...answer, granted: true };
  }
}

export interface StubbedRun {
  handle: WorkflowHandle<typeof payout>;
  invoiceId: string;
  /** Resolves once the payout's `state` query reports `status`. */
  reaches: (status: PayoutStatus) => Promise<PayoutState>;
}

let invoiceCounter = 0;

/** A fresh numeric invoice id, as Stark Bank's are. */
export function nextInvoiceId(): string {
  return `${Date.now()}${String(++invoiceCounter).padStart(4, '0')}`;
}

/** Runs one payout on the shared dev server against a StubBank, for as long as `fn` runs. */
export async function withStubbedPayout<T>(
  bank: StubBank,
  fn: (run: StubbedRun) => Promise<T>,
  input: Partial<PayoutInput> = {},
  /** Delivered with the start, as the webhook's dispatcher does. */
  creditedEvent?: CreditedEvent,
): Promise<T> {
  const invoiceId = input.invoiceId ?? nextInvoiceId();
  return withWorker({ workflowsPath, activities: bank.activities() }, async ({ client, taskQueue }) => {
    const options = {
      workflowId: payoutWorkflowId(invoiceId),
      taskQueue,
      args: [
        {
          poll: { firstSeconds: 0.05, maxSeconds: 0.05 },
          creditWait: { firstSeconds: 0.05, waits: 2 },
          ...input,
          invoiceId,
        },
      ] as [PayoutInput],
    };
    const handle = creditedEvent
      ? await client.workflow.signalWithStart(payout, {
          ...options,
          signal: invoiceCreditedSignal,
          signalArgs: [creditedEvent],
        })
      : await client.workflow.start(payout, options);
    const reaches = (status: PayoutStatus) =>
      eventually(
        async () => {
          const state = await handle.query(payoutStateQuery);
          return state.status === status ? state : undefined;
        },
        { intervalMs: 25, what: `payout ${invoiceId} to be ${status}` },
      );
    return fn({ handle, invoiceId, reaches });
  });
}
