import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/activities';
import type { CreateTransferInput } from '../../src/activities/transfers';
import { ErrorTypes } from '../../src/domain/errorTypes';
import type { GuardrailLimits } from '../../src/domain/guardrails';
import { payoutWorkflowId } from '../../src/domain/payoutIds';
import type { CreditedInvoice, TransferSnapshot } from '../../src/domain/types';
import {
  invoiceCreditedSignal,
  payoutStateQuery,
  type CreditedEvent,
  type PayoutInput,
  type PayoutState,
  type PayoutStatus,
} from '../../src/workflows/payoutDefinitions';
import { payout } from '../../src/workflows/payout';
import { eventually, withWorker } from './temporal';
import { workflowsPath } from './payouts';

/** The activities a payout calls, as plain functions a test replaces. */
export type PayoutActivities = Pick<
  Activities,
  | 'getCreditedInvoice'
  | 'sumTransfersSentToday'
  | 'getGuardrailLimits'
  | 'arePayoutsPaused'
  | 'createTransfer'
  | 'lookupTransfer'
>;

/**
 * A scripted Stark Bank for one payout: the invoice it credited, today's total, the limits, the pause switch, and
 * transfers that settle as each test says. Every call is recorded, so tests assert what the workflow asked for.
 */
export class StubBank {
  credited: CreditedInvoice | 'not-found' = { invoiceId: '', amount: 10_000, fee: 0, status: 'credited' };
  sentToday = 0;
  limits: GuardrailLimits = { maxAmountCents: 1_000_000, dailyMaxCents: 10_000_000 };
  paused = false;
  /** How each created transfer ends when looked up, in creation order; the last one repeats. */
  outcomes: { status: TransferSnapshot['status']; failureReason?: string }[] = [{ status: 'success' }];
  /** Failures createTransfer throws before it succeeds, one per attempt. */
  createFailures: ApplicationFailure[] = [];
  readonly created: CreateTransferInput[] = [];
  /** Only the functions, as the worker wants them. */
  activities(): PayoutActivities {
    const { getCreditedInvoice, sumTransfersSentToday, getGuardrailLimits, arePayoutsPaused } = this;
    const { createTransfer, lookupTransfer } = this;
    return {
      getCreditedInvoice,
      sumTransfersSentToday,
      getGuardrailLimits,
      arePayoutsPaused,
      createTransfer,
      lookupTransfer,
    };
  }

  readonly lookups: string[] = [];
  private readonly transfers = new Map<string, TransferSnapshot>();

  getCreditedInvoice = (invoiceId: string): Promise<CreditedInvoice> => {
    if (this.credited === 'not-found') {
      return Promise.reject(ApplicationFailure.nonRetryable(`get invoice ${invoiceId}: 404`, ErrorTypes.notFound));
    }
    return Promise.resolve({ ...this.credited, invoiceId });
  };

  sumTransfersSentToday = (): Promise<number> => Promise.resolve(this.sentToday);

  getGuardrailLimits = (): Promise<GuardrailLimits> => Promise.resolve(this.limits);

  arePayoutsPaused = (): Promise<boolean> => Promise.resolve(this.paused);

  createTransfer = (input: CreateTransferInput): Promise<TransferSnapshot> => {
    const failure = this.createFailures.shift();
    if (failure) return Promise.reject(failure);
    this.created.push(input);
    const transfer: TransferSnapshot = {
      id: `t${this.created.length}`,
      externalId: input.externalId,
      amount: input.amount,
      status: 'created',
    };
    this.transfers.set(input.externalId, transfer);
    return Promise.resolve(transfer);
  };

  lookupTransfer = (externalId: string): Promise<TransferSnapshot | null> => {
    this.lookups.push(externalId);
    const transfer = this.transfers.get(externalId);
    if (!transfer) return Promise.resolve(null);
    const index = Number(transfer.id.slice(1)) - 1;
    const outcome = this.outcomes[Math.min(index, this.outcomes.length - 1)]!;
    return Promise.resolve({ ...transfer, ...outcome });
  };
}

export interface StubbedRun {
  handle: WorkflowHandle<typeof payout>;
  invoiceId: string;
  /** Resolves once the payout's `state` query reports `status`. */
  reaches: (status: PayoutStatus) => Promise<PayoutState>;
}

let invoiceCounter = 0;

/** Runs one payout on the shared dev server against a StubBank, for as long as `fn` runs. */
export async function withStubbedPayout<T>(
  bank: StubBank,
  fn: (run: StubbedRun) => Promise<T>,
  input: Partial<PayoutInput> = {},
  /** Delivered with the start, as the webhook's dispatcher does. */
  creditedEvent?: CreditedEvent,
): Promise<T> {
  const invoiceId = `${Date.now()}${String(++invoiceCounter).padStart(4, '0')}`;
  return withWorker({ workflowsPath, activities: bank.activities() }, async ({ client, taskQueue }) => {
    const options = {
      workflowId: payoutWorkflowId(invoiceId),
      taskQueue,
      args: [{ invoiceId, poll: { firstSeconds: 0.05, maxSeconds: 0.05 }, ...input }] as [PayoutInput],
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
