import type { Client, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/workflows/activityTypes';
import type { ReversalLoss } from '../../src/domain/reconciliation';
import { ErrorTypes } from '../../src/domain/errorTypes';
import type { GuardrailLimits } from '../../src/domain/guardrails';
import { payoutWorkflowId } from '../../src/domain/payoutIds';
import type { CreditedInvoice, TransferSnapshot } from '../../src/domain/types';
import type { TransferLookup } from '../../src/workflows/activityTypes';
import { owedCents } from '../../src/domain/money';
import { sendThroughGate, type GateDeps, type GrantAnswer, type GrantRequest } from '../../src/domain/sendGate';
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
  | 'readPayoutFacts'
  | 'recordDecision'
  | 'openCase'
  | 'releaseDailyBudget'
  | 'createTransfer'
  | 'lookUpTransfer'
  | 'settleTransfer'
  | 'recordReversalLoss'
>;

type Outcome = { status: TransferSnapshot['status']; failureReason?: string; rawStatus?: string };

/** A failure of the create call itself; `committed`: Stark Bank made the transfer although the call failed. */
export type CreateFailure = ApplicationFailure | { failure: ApplicationFailure; committed: true };

export interface StubGrant {
  day: string;
  externalId: string;
  amount: number;
  approvedOverDailyMax: boolean;
  released: boolean;
}

/**
 * A scripted Stark Bank and Temporal side for one payout: the invoice it credited, the limits, the pause switch,
 * the day's budget, the decision record, and transfers that settle as each test says. `createTransfer` is the real
 * send gate (src/domain/sendGate.ts) over these stubs. Every call is recorded, so tests assert what was asked.
 */
export class StubBank {
  /** The invoice as the API has it now; `reversedCents` may grow while a payout runs, as a payer's reversal. */
  credited: CreditedInvoice | 'not-found' = { invoiceId: '', amount: 10_000, fee: 0, status: 'paid', reversedCents: 0 };
  limits: GuardrailLimits = { maxAmountCents: 1_000_000, dailyMaxCents: 10_000_000 };
  paused: boolean | 'unreadable' = false;
  /** Today's business day, as the gate sees it; a test moves it on. */
  today = '2026-11-29';
  /** Each day's total before this payout, against `limits.dailyMaxCents`. */
  sentToday = 0;
  /** How each created transfer ends when looked up, in creation order; the last one repeats. */
  outcomes: Outcome[] = [{ status: 'success' }];
  /** Failures the create call throws before it succeeds, one per call. */
  createFailures: CreateFailure[] = [];
  /** Failures lookUpTransfer throws, one per call. */
  lookupFailures: ApplicationFailure[] = [];
  /** Transfers earlier runs of the payout made, as Stark Bank lists them. */
  earlier: (TransferSnapshot & { attempt: number })[] = [];
  /** Transfers that committed late: found by their externalId, but not yet by the payout's check. */
  lateCommits: TransferSnapshot[] = [];
  /** After a create call, looking its externalId up fails (Stark Bank unreachable for reads). */
  unreadableAfterCreate = false;
  /** Resolves create calls only when released (to hold a payout in the middle of sending). */
  createGate: Promise<void> = Promise.resolve();
  /** Resolves recordDecision calls only when released (to hold a payout while it records a decision). */
  recordGate: Promise<void> = Promise.resolve();
  /** Runs inside the gate's invoice read, e.g. to flip the pause switch meanwhile. */
  duringInvoiceRead: () => void = () => undefined;
  record: DecisionRecordState | null = null;
  /** What each create sent: the amount is what was owed at that moment, at most the `maxAmount` asked. */
  readonly created: { invoiceId: string; externalId: string; amount: number }[] = [];
  readonly losses: ReversalLoss[] = [];
  readonly cases: string[] = [];
  readonly lookups: string[] = [];
  readonly grants: StubGrant[] = [];
  readonly recorded: DecisionEntry[] = [];
  private readonly transfers = new Map<string, TransferSnapshot>();

  /** The grants still held, as `externalId@day`. */
  held(): string[] {
    return this.grants.filter((g) => !g.released).map((g) => `${g.externalId}@${g.day}`);
  }

  /** Only the functions, as the worker wants them. */
  activities(): PayoutActivities {
    return {
      readPayoutFacts: (invoiceId) =>
        Promise.resolve({
          credited: this.credited === 'not-found' ? undefined : { ...this.credited, invoiceId },
          earlier: this.earlier,
          rejected: this.record?.rejected,
          limits: this.limits,
        }),
      recordDecision: async ({ entry }) => {
        await this.recordGate;
        this.recorded.push(entry);
        return undefined;
      },
      openCase: ({ opened }) => {
        this.cases.push(opened.kind);
        return Promise.resolve();
      },
      releaseDailyBudget: ({ externalId, day }) => {
        this.release(day ?? this.today, externalId);
        return Promise.resolve();
      },
      createTransfer: (request) => sendThroughGate(this.gate(), request),
      recordReversalLoss: (loss) => {
        this.losses.push(loss);
        return Promise.resolve('case-opened');
      },
      lookUpTransfer: ({ externalId }) => {
        this.lookups.push(externalId);
        const failure = this.lookupFailures.shift();
        if (failure) return Promise.reject(failure);
        return Promise.resolve(this.lookUp(externalId));
      },
      settleTransfer: ({ externalId }) => Promise.resolve(this.found(externalId) ? this.lookUp(externalId) : 'none'),
    };
  }

  /** The send gate's view of this bank. */
  private gate(): GateDeps {
    return {
      findTransfer: (externalId) => {
        if (this.unreadableAfterCreate && this.created.length > 0) {
          return Promise.reject(
            ApplicationFailure.retryable('Stark Bank unavailable (ECONNRESET)', ErrorTypes.transient),
          );
        }
        return Promise.resolve(this.found(externalId));
      },
      readInvoice: async (invoiceId) => {
        const invoice = await this.readInvoice(invoiceId);
        this.duringInvoiceRead();
        return invoice;
      },
      readRejection: () => Promise.resolve(this.record?.rejected),
      readPause: () =>
        Promise.resolve(
          this.paused === 'unreadable'
            ? { paused: true, reason: 'there is no pause switch: run setup' }
            : { paused: this.paused, reason: this.paused ? 'an operator paused all payouts' : undefined },
        ),
      today: () => this.today,
      reserve: (day, request) => Promise.resolve(this.reserve(day, request)),
      release: (day, externalId) => {
        this.release(day, externalId);
        return Promise.resolve();
      },
      create: async ({ invoiceId, externalId, amount }) => {
        await this.createGate;
        const failure = this.createFailures.shift();
        if (failure && !('committed' in failure)) throw failure;
        this.created.push({ invoiceId, externalId, amount });
        const transfer: TransferSnapshot = { id: `t${this.created.length}`, externalId, amount, status: 'created' };
        this.transfers.set(externalId, transfer);
        if (failure) throw failure.failure;
        return transfer;
      },
      maxTransferCents: this.limits.maxAmountCents,
      // Read when the gate runs: a test changes `limits` after the payout's check, as a change of config.
      secondApprovalCents: this.limits.secondApprovalCents,
      readApprovals: () => Promise.resolve(this.recorded),
    };
  }

  private readInvoice(invoiceId: string): Promise<CreditedInvoice> {
    if (this.credited === 'not-found') {
      return Promise.reject(ApplicationFailure.nonRetryable(`get invoice ${invoiceId}: 404`, ErrorTypes.notFound));
    }
    return Promise.resolve({ ...this.credited, invoiceId });
  }

  /** A lookup's answer: the transfer, and once it succeeded what is owed now and a rejection on the record. */
  private lookUp(externalId: string): TransferLookup {
    const transfer = this.found(externalId) ?? null;
    if (transfer?.status !== 'success' || this.credited === 'not-found') return { transfer };
    return { transfer, succeeded: { owedCents: owedCents(this.credited), rejected: this.record?.rejected } };
  }

  /** What looking an externalId up finds. */
  private found(externalId: string): TransferSnapshot | undefined {
    return this.current(externalId) ?? [...this.earlier, ...this.lateCommits].find((t) => t.externalId === externalId);
  }

  /** A transfer created here as a lookup sees it now: its outcome, in creation order. */
  private current(externalId: string): TransferSnapshot | undefined {
    const transfer = this.transfers.get(externalId);
    if (!transfer) return undefined;
    const index = Number(transfer.id.slice(1)) - 1;
    return { ...transfer, ...this.outcomes[Math.min(index, this.outcomes.length - 1)]! };
  }

  private reserve(day: string, request: GrantRequest): GrantAnswer {
    const mine = this.grants.find((g) => g.day === day && g.externalId === request.externalId && !g.released);
    const others = this.grants
      .filter((g) => g.day === day && !g.released && g !== mine)
      .reduce((sum, g) => sum + g.amount, 0);
    const totalCents = this.sentToday + others + request.amount;
    const answer = { totalCents, maxCents: this.limits.dailyMaxCents };
    if (mine) return { ...answer, granted: true };
    if (!request.approvedOverDailyMax && totalCents > this.limits.dailyMaxCents) return { ...answer, granted: false };
    this.grants.push({ day, ...request, released: false });
    return { ...answer, granted: true };
  }

  private release(day: string, externalId: string): void {
    for (const g of this.grants) if (g.day === day && g.externalId === externalId) g.released = true;
  }
}

export interface StubbedRun {
  handle: WorkflowHandle<typeof payout>;
  client: Client;
  /** The task queue the payout and its stubbed worker run on. */
  taskQueue: string;
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
    return fn({ handle, client, taskQueue, invoiceId, reaches });
  });
}
