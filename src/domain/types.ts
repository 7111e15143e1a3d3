/** Data that crosses the workflow boundary: plain JSON, no classes. */

export interface PayoutInput {
  invoiceId: string;
  /** How often to re-check a transfer when no transfer event arrives (defaults: 2 s doubling up to 10 min). */
  poll?: { firstSeconds: number; maxSeconds: number };
}

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

export type TransferStatus = 'created' | 'processing' | 'success' | 'failed' | 'canceled' | 'unknown';

/** Statuses a transfer never leaves; the only ones a payout acts on. */
export const FINAL_TRANSFER_STATUSES: readonly string[] = ['success', 'failed', 'canceled'];

export interface TransferSnapshot {
  id: string;
  externalId: string;
  amount: number;
  status: TransferStatus;
  /** Why it failed, from the transfer's failed log, when it did. */
  failureReason?: string;
}

export interface CreditedInvoice {
  invoiceId: string;
  /** Amount actually paid, from the credited log (already includes fine, interest and discounts). */
  amount: number;
  fee: number;
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
  decidedBy?: { action: 'approve' | 'reject' | 'retry'; operator: string; note?: string };
}
