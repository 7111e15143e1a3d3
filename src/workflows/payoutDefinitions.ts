import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CreditedInvoice, TransferSnapshot, TransferStatus } from '../domain/types';
import type { DecisionEntry } from './decisionRecordDefinitions';

/**
 * The payout workflow's contract: its type name, input, state, signals, query and updates. Clients (the event
 * dispatcher, the operator CLI, recovery) import this module, never the workflow itself.
 */

export const PAYOUT_WORKFLOW_TYPE = 'payout';

export interface PayoutInput {
  invoiceId: string;
  /** How often to re-check a transfer when no transfer event arrives (defaults: 2 s doubling up to 10 min). */
  poll?: { firstSeconds: number; maxSeconds: number };
  /** How long to wait for a credited log that is not there yet (defaults: 10 s doubling, 5 waits). */
  creditWait?: { firstSeconds: number; waits: number };
  /** Continue as new once history reaches this many events (the server's own suggestion applies too). */
  historyLimit?: number;
  /** An operator restarted the payout of an invoice whose earlier payout had closed. */
  restartedBy?: DecisionEntry;
  /** What an earlier run of this payout handed over when it continued as new. */
  carried?: CarriedPayout;
}

/** Where a payout is: each phase can be run again from its start, which is what continue-as-new relies on. */
export type PayoutPhase =
  | { name: 'check' }
  | { name: 'send'; attempt: number }
  | { name: 'follow'; attempt: number; transfer: TransferSnapshot; pollSeconds: number };

/** A payout waiting for an operator, and the phase it goes back to on retry or approve. */
export interface Parked {
  awaiting: DecisionAction[];
  resume: PayoutPhase;
  /** Approving lets the transfer go over the daily maximum (the day's budget is what held it). */
  approveForcesBudget?: boolean;
}

export interface CarriedPayout {
  state: PayoutState;
  phase: PayoutPhase;
  parked?: Parked;
  creditedEvent?: CreditedEvent;
  /** An operator approved going over the daily maximum. */
  budgetForced: boolean;
  /** The business day its current transfer's amount was reserved on. */
  budgetDay?: string;
  /** A decision accepted but not yet carried out. */
  decision?: { action: DecisionAction; entry: DecisionEntry };
}

export type PayoutWorkflow = (input: PayoutInput) => Promise<PayoutState>;

/** What an operator sends to approve, reject or retry a payout. */
export interface OperatorDecision {
  operator: string;
  note?: string;
}

/** A credited-invoice webhook event, as handed to the payout workflow. */
export interface CreditedEvent {
  eventId: string;
  amount: number;
  fee?: number;
  workspaceId?: string;
}

/** A transfer webhook event, as handed to the payout workflow. */
export interface TransferEvent {
  eventId: string;
  transferId: string;
  status: string;
}

export const PAYOUT_STATUSES = [
  'Received',
  'AwaitingApproval',
  'Approved',
  'Paused',
  'Sending',
  'Retrying',
  'Rejecting',
  'NeedsAttention',
  'Succeeded',
  'TransferFailed',
  'Rejected',
  'NothingToSend',
  'Invalid',
] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export interface TransferAttempt {
  attempt: number;
  externalId: string;
  transferId?: string;
  status: TransferStatus;
  failureReason?: string;
}

export interface PayoutState {
  invoiceId: string;
  status: PayoutStatus;
  credited?: CreditedInvoice;
  /** Credited minus fee. */
  netCents?: number;
  /** What the payer got back before the transfer was made: not sent. */
  reversedCents?: number;
  /** What the transfer sends: net minus reversed, read from the API as it is created (0: nothing left). */
  sendCents?: number;
  /** What the payer got back after the transfer was made: money that left, a case for a person. */
  reversedAfterSendCents?: number;
  /** Why the payout waits for an operator, ended without a transfer, or failed. */
  reasons: string[];
  attempts: TransferAttempt[];
  eventIds: string[];
  /** The decisions this payout waits for now; none while it works or once an operator has decided. */
  awaiting: DecisionAction[];
  /** Every operator decision on this payout, oldest first (also kept in the invoice's decision record). */
  decisions: DecisionEntry[];
  /** A transient error being retried (Stark Bank down): visible, nobody needs to act. */
  retrying?: string;
}

export type DecisionAction = 'approve' | 'reject' | 'retry';

/** Statuses an operator decision passes through while the payout carries it out. */
export const CARRYING_OUT: Record<DecisionAction, PayoutStatus> = {
  approve: 'Approved',
  reject: 'Rejecting',
  retry: 'Retrying',
};

export const invoiceCreditedSignal = defineSignal<[CreditedEvent]>('invoiceCredited');
export const transferUpdatedSignal = defineSignal<[TransferEvent]>('transferUpdated');
/** Sent by the operator's "resume all payouts" so paused payouts go on at once instead of at their next check. */
export const resumeSignal = defineSignal('resume');
/** Sent by reconciliation to make a payout look its transfer up now instead of at its next poll. */
export const lookUpTransferSignal = defineSignal('lookUpTransfer');
export const payoutStateQuery = defineQuery<PayoutState>('state');
export const approveUpdate = defineUpdate<PayoutState, [OperatorDecision]>('approve');
export const rejectUpdate = defineUpdate<PayoutState, [OperatorDecision]>('reject');
export const retryUpdate = defineUpdate<PayoutState, [OperatorDecision]>('retry');
