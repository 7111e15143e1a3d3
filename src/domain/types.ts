/** Stark Bank values the payout acts on, as plain JSON that crosses the workflow boundary. */

export const KNOWN_TRANSFER_STATUSES = ['created', 'processing', 'success', 'failed', 'canceled'] as const;
/** A status Stark Bank may add later is `unknown` to the product: a payout then waits for a person. */
export type TransferStatus = (typeof KNOWN_TRANSFER_STATUSES)[number] | 'unknown';

/** Statuses a transfer never leaves; the only ones a payout acts on. */
export const FINAL_TRANSFER_STATUSES: readonly string[] = ['success', 'failed', 'canceled'];

export interface TransferSnapshot {
  id: string;
  externalId: string;
  amount: number;
  status: TransferStatus;
  /** What Stark Bank said, when the product does not know that status. */
  rawStatus?: string;
  /** Why it failed, from the transfer's failed log, when it did. */
  failureReason?: string;
}

export interface CreditedInvoice {
  invoiceId: string;
  /** Amount actually paid, from the credited log (already includes fine, interest and discounts). */
  amount: number;
  fee: number;
  /** The invoice's status as of this read (`paid` once credited, whatever was reversed). */
  status: string;
  /** What the payer got back by reversals as of this read: the credited amount minus what the invoice still holds. */
  reversedCents: number;
}

/** What handing one event to Temporal did: the webhook's answer, metrics and reports name it. */
export type DispatchOutcome =
  | 'payout-started-or-signaled'
  | 'payout-already-closed'
  | 'credit-too-old'
  | 'transfer-signaled'
  | 'transfer-not-ours'
  | 'transfer-progress-ignored'
  | 'payout-not-running'
  | 'other-workspace'
  | 'duplicate-delivery'
  | 'ignored';
