import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CreditedInvoice, TransferStatus } from '../domain/types';

/**
 * The payout workflow's contract: its type name, input, state, signals, query and updates. Clients (the event
 * dispatcher, the operator CLI, recovery) import this module, never the workflow itself.
 */

export const PAYOUT_WORKFLOW_TYPE = 'payout';

export interface PayoutInput {
  invoiceId: string;
  /** How often to re-check a transfer when no transfer event arrives (defaults: 2 s doubling up to 10 min). */
  poll?: { firstSeconds: number; maxSeconds: number };
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
  fee: number;
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
  'Paused',
  'Sending',
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
  netCents?: number;
  /** Why the payout waits for an operator, ended without a transfer, or failed. */
  reasons: string[];
  attempts: TransferAttempt[];
  eventIds: string[];
  decidedBy?: { action: DecisionAction; operator: string; note?: string };
}

export type DecisionAction = 'approve' | 'reject' | 'retry';

export const invoiceCreditedSignal = defineSignal<[CreditedEvent]>('invoiceCredited');
export const transferUpdatedSignal = defineSignal<[TransferEvent]>('transferUpdated');
/** Sent by the operator's "resume all payouts" so paused payouts go on at once instead of at their next check. */
export const resumeSignal = defineSignal('resume');
export const payoutStateQuery = defineQuery<PayoutState>('state');
export const approveUpdate = defineUpdate<PayoutState, [OperatorDecision]>('approve');
export const rejectUpdate = defineUpdate<PayoutState, [OperatorDecision]>('reject');
export const retryUpdate = defineUpdate<PayoutState, [OperatorDecision]>('retry');
