/** Stark Bank values the payout acts on, as plain JSON that crosses the workflow boundary. */

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
