import { formatBRL, owedCents, reversalLossCents } from '../domain/money';
import type { CreditedInvoice, TransferSnapshot } from '../domain/types';
import { reads, writes } from './payoutActivities';
import type { PayoutProgress } from './payoutProgress';
import { rejectedReason } from '../domain/sendGate';

/**
 * What a person must know once a payout's transfer succeeded: a reversal loss (money that left and the payer took
 * back), and a rejection recorded too late to stop the transfer. Each opens a case on the invoice's record.
 */
export async function afterSuccess(
  progress: PayoutProgress,
  t: TransferSnapshot,
  justRead?: CreditedInvoice,
): Promise<string[]> {
  return [...(await reversalLoss(progress, t, justRead)), ...(await lateRejection(progress, t))];
}

/** Best effort: reconciliation finds every reversal loss this misses, and every one after the payout closed. */
async function reversalLoss(progress: PayoutProgress, t: TransferSnapshot, justRead?: CreditedInvoice) {
  const { invoiceId } = progress.state;
  const invoice = justRead ?? (await progress.bestEffort(() => reads.getCreditedInvoice(invoiceId)));
  if (!invoice) return [];
  const owed = owedCents(invoice);
  const loss = reversalLossCents(t.amount, owed);
  if (loss <= 0) return [];
  progress.noteReversalLoss(loss);
  const found = { invoiceId, transferId: t.id, sentCents: t.amount, owedCents: owed, lossCents: loss };
  await progress.bestEffort(() => writes.recordReversalLoss(found));
  return [`${formatBRL(loss)} of transfer ${t.id} was reversed by the payer after it was made`];
}

/** The gate checked the record right before the create; a rejection recorded after that could not stop it. */
async function lateRejection(progress: PayoutProgress, t: TransferSnapshot) {
  const { invoiceId } = progress.state;
  const rejected = (await progress.bestEffort(() => reads.getDecisionRecord(invoiceId)))?.rejected;
  if (!rejected) return [];
  const reason = `${rejectedReason(rejected)}, but transfer ${t.id} had already been made`;
  const opened = { kind: 'sent-despite-rejection' as const, reason: `${reason} (ops payouts acknowledge)` };
  await progress.persistently(() => writes.openCase({ invoiceId, opened }));
  return [reason];
}
