import { netCreditedAmount, reversalLossCents } from './money';

// Pure comparison of what Stark Bank credited, and the payers took back, with what the product transferred.

export interface CreditedRecord {
  invoiceId: string;
  amount: number;
  fee: number;
  /** What the payer got back by reversals so far (0 when none). */
  reversedCents?: number;
}

export interface TransferRecord {
  id: string;
  invoiceId: string;
  amount: number;
  status: string;
}

/** A reversal loss: a successful transfer sent more than is owed now, because the payer reversed after it left. */
export interface ReversalLoss {
  invoiceId: string;
  transferId: string;
  sentCents: number;
  /** Credited minus fee minus every reversal: what the books expect now. */
  owedCents: number;
  /** Sent minus owed: money that left and that the payer took back. */
  lossCents: number;
}

export interface Findings {
  /** Credited invoices with something still owed (`netCents`: net of fee and reversals) and no successful transfer. */
  unpaid: (CreditedRecord & { netCents: number })[];
  /** Successful transfers whose invoice is not among the credited ones. */
  sentWithoutCredit: TransferRecord[];
  /** Successful transfers of more than the net, or of less than what is owed even after every reversal. */
  amountMismatches: { invoiceId: string; expected: number; sent: number }[];
  /** Invoices with more than one successful transfer: must never happen. */
  duplicates: string[];
  /** Reversals after the transfer: the product's loss, listed for a person; not drift. */
  reversalLosses: (ReversalLoss & { reversedCents: number })[];
  creditedNetCents: number;
  /** Reversals that lowered what was sent, or that leave nothing to send. */
  reversedBeforePayoutCents: number;
  /** The sum of `reversalLosses` losses. */
  reversalLossCents: number;
  sentCents: number;
}

/**
 * What the books expect is credited − fee − reversed for every invoice. A transfer is right when it sent what was
 * owed when it was made: between what is owed now and the net. What it sent beyond what is owed now was reversed
 * after it, a loss of its own line; anything else is a mismatch.
 */
export function compareCreditsWithTransfers(credited: CreditedRecord[], transfers: TransferRecord[]): Findings {
  const successes = new Map<string, TransferRecord[]>();
  for (const t of transfers.filter((t) => t.status === 'success')) {
    successes.set(t.invoiceId, [...(successes.get(t.invoiceId) ?? []), t]);
  }
  const creditedIds = new Set(credited.map((c) => c.invoiceId));
  const findings: Findings = {
    unpaid: [],
    sentWithoutCredit: [],
    amountMismatches: [],
    duplicates: [],
    reversalLosses: [],
    creditedNetCents: 0,
    reversedBeforePayoutCents: 0,
    reversalLossCents: 0,
    sentCents: 0,
  };
  for (const c of credited) {
    // A fee that takes it all leaves 0 owed: any transfer for it is then a mismatch, like any other amount.
    const net = Math.max(0, netCreditedAmount(c));
    findings.creditedNetCents += net;
    const reversed = Math.min(net, c.reversedCents ?? 0);
    const owed = net - reversed;
    const [first, ...others] = successes.get(c.invoiceId) ?? [];
    if (!first) {
      findings.reversedBeforePayoutCents += reversed;
      if (owed > 0) findings.unpaid.push({ ...c, netCents: owed });
      continue;
    }
    if (others.length > 0) findings.duplicates.push(c.invoiceId);
    for (const t of [first, ...others]) {
      if (t.amount > net || t.amount < owed) {
        findings.amountMismatches.push({ invoiceId: c.invoiceId, expected: owed, sent: t.amount });
      }
    }
    // Stryker disable next-line EqualityOperator: equivalent, exactly what is owed counts the same
    if (first.amount > net || first.amount < owed) {
      findings.reversedBeforePayoutCents += reversed;
      continue;
    }
    findings.reversedBeforePayoutCents += net - first.amount;
    const loss = reversalLossCents(first.amount, owed);
    if (loss > 0) {
      findings.reversalLossCents += loss;
      findings.reversalLosses.push({
        invoiceId: c.invoiceId,
        transferId: first.id,
        sentCents: first.amount,
        owedCents: owed,
        reversedCents: c.reversedCents ?? 0,
        lossCents: loss,
      });
    }
  }
  for (const [invoiceId, sent] of successes) {
    findings.sentCents += sent.reduce((sum, t) => sum + t.amount, 0);
    if (!creditedIds.has(invoiceId)) findings.sentWithoutCredit.push(...sent);
  }
  return findings;
}

/** What reconciliation did about a credited invoice that has no successful transfer. */
export type UnpaidAction = 'payout-started' | 'payout-nudged' | 'rejected' | 'needs-person' | 'credit-too-old';

/** A payout still working on it, or an operator's "no", is not drift: everything else unpaid is. */
const NOT_DRIFT: readonly UnpaidAction[] = ['payout-nudged', 'rejected'];

/**
 * True when money owed and money sent disagree in any way worth an alert. Reversals after a payout are not drift:
 * the money was owed when it left, and each one has its own line and case.
 */
export function hasDrift(
  f: Pick<Findings, 'creditedNetCents' | 'reversedBeforePayoutCents' | 'sentCents'> &
    Record<'sentWithoutCredit' | 'amountMismatches' | 'duplicates', readonly unknown[]> & {
      unpaid: readonly { netCents: number; action?: UnpaidAction }[];
    },
): boolean {
  const aside = f.unpaid.filter((u) => u.action && NOT_DRIFT.includes(u.action));
  const unpaid = f.unpaid.length - aside.length;
  // Credits still in flight or rejected are expected not to have been sent yet.
  const expectedSent = f.creditedNetCents - f.reversedBeforePayoutCents - aside.reduce((sum, u) => sum + u.netCents, 0);
  return (
    unpaid + f.sentWithoutCredit.length + f.amountMismatches.length + f.duplicates.length > 0 ||
    expectedSent !== f.sentCents
  );
}
