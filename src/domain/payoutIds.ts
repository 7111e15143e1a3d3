// Business keys that make a payout idempotent end to end.
// The workflow id dedupes inside Temporal; the transfer externalId (also stored as a tag, because
// transfer.query cannot filter by externalId) dedupes at Stark Bank and outlives Temporal's retention.
// `invoice-<id>` is avoided on purpose: Stark Bank reportedly uses it internally for the credit entry.
const PAYOUT_PREFIX = 'payout-';

/** Tag put on every transfer this product creates, so they can be listed and summed. */
export const PAYOUT_TAG = 'payout';

export function payoutWorkflowId(invoiceId: string): string {
  return `${PAYOUT_PREFIX}${invoiceId}`;
}

/** Attempt 1 uses the plain key; operator-approved retries after a failed transfer derive a new one. */
export function transferExternalId(invoiceId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer: ${attempt}`);
  return attempt === 1 ? `${PAYOUT_PREFIX}${invoiceId}` : `${PAYOUT_PREFIX}${invoiceId}-r${attempt}`;
}

/** Tag on every transfer of an invoice, whatever its attempt, so a payout finds what earlier runs sent. */
export function invoiceTransfersTag(invoiceId: string): string {
  return `${PAYOUT_PREFIX}${invoiceId}`;
}

/** The attempt an externalId of this invoice stands for, or undefined when it is not one of its. */
export function attemptOfExternalId(invoiceId: string, externalId: string): number | undefined {
  if (externalId === `${PAYOUT_PREFIX}${invoiceId}`) return 1;
  const match = new RegExp(`^${PAYOUT_PREFIX}${invoiceId}-r(\\d+)$`).exec(externalId);
  return match ? Number(match[1]) : undefined;
}

/** The invoice id a transfer belongs to, from its externalId or tags; undefined if it is not ours. */
export function invoiceIdOfTransfer(transfer: {
  externalId?: string | null;
  tags?: readonly string[];
}): string | undefined {
  // Stryker disable next-line StringLiteral,ArrayDeclaration: equivalent, any stand-in that is no payout key matches nothing
  const candidates = [transfer.externalId ?? '', ...(transfer.tags ?? [])];
  for (const value of candidates) {
    const match = /^payout-(\d+)(?:-r\d+)?$/.exec(value);
    if (match) return match[1];
  }
  return undefined;
}
