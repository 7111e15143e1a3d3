import type { TransferLookup } from './activityTypes';
import { formatBRL, reversalLossCents } from '../domain/money';
import { rejectedReason } from '../domain/sendGate';
import type { TransferSnapshot } from '../domain/types';
import { writes } from './payoutActivities';
import type { PayoutProgress } from './payoutProgress';

/**
 * What a person must know once a payout's transfer succeeded, from what was read with it: a reversal loss (money
 * that left and the payer took back), and a rejection recorded too late to stop the transfer. Each opens a case on
 * the invoice's record. The reversal is best effort: reconciliation finds every loss this misses.
 */
export async function afterSuccess(
  progress: PayoutProgress,
  t: TransferSnapshot,
  known: TransferLookup['succeeded'] = {},
): Promise<string[]> {
  const { invoiceId } = progress.state;
  const reasons: string[] = [];
  const loss = known.owedCents === undefined ? 0 : reversalLossCents(t.amount, known.owedCents);
  if (loss > 0) {
    progress.noteReversalLoss(loss);
    const found = { invoiceId, transferId: t.id, sentCents: t.amount, owedCents: known.owedCents!, lossCents: loss };
    await progress.bestEffort(() => writes.recordReversalLoss(found));
    reasons.push(`${formatBRL(loss)} of transfer ${t.id} was reversed by the payer after it was made`);
  }
  if (known.rejected) {
    // The gate checked the record right before the create; a rejection recorded after it could not stop it.
    const reason = `${rejectedReason(known.rejected)}, but transfer ${t.id} had already been made`;
    const opened = { kind: 'sent-despite-rejection' as const, reason: `${reason} (ops payouts acknowledge)` };
    await progress.persistently(() => writes.openCase({ invoiceId, opened }));
    reasons.push(reason);
  }
  return reasons;
}
