import { netCreditedAmount } from './money';

// Pure comparison of what Stark Bank credited with what the product transferred.

export interface CreditedRecord {
  invoiceId: string;
  amount: number;
  fee: number;
}

export interface TransferRecord {
  id: string;
  invoiceId: string;
  amount: number;
  status: string;
}

export interface Findings {
  /** Credited invoices with something to send and no successful transfer yet. */
  unpaid: (CreditedRecord & { netCents: number })[];
  /** Successful transfers whose invoice is not among the credited ones. */
  sentWithoutCredit: TransferRecord[];
  /** Successful transfers of a different amount than the invoice's net. */
  amountMismatches: { invoiceId: string; expected: number; sent: number }[];
  /** Invoices with more than one successful transfer: must never happen. */
  duplicates: string[];
  creditedNetCents: number;
  sentCents: number;
}

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
    creditedNetCents: 0,
    sentCents: 0,
  };
  for (const c of credited) {
    const net = netCreditedAmount(c);
    if (net <= 0) continue;
    findings.creditedNetCents += net;
    const sent = successes.get(c.invoiceId) ?? [];
    if (sent.length === 0) findings.unpaid.push({ ...c, netCents: net });
    if (sent.length > 1) findings.duplicates.push(c.invoiceId);
    for (const t of sent) {
      if (t.amount !== net) findings.amountMismatches.push({ invoiceId: c.invoiceId, expected: net, sent: t.amount });
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

/** True when money credited and money sent disagree in any way worth an alert. */
export function hasDrift(
  f: Pick<Findings, 'creditedNetCents' | 'sentCents'> &
    Record<'sentWithoutCredit' | 'amountMismatches' | 'duplicates', readonly unknown[]> & {
      unpaid: readonly { netCents: number; action?: UnpaidAction }[];
    },
): boolean {
  const aside = f.unpaid.filter((u) => u.action && NOT_DRIFT.includes(u.action));
  const unpaid = f.unpaid.length - aside.length;
  // Credits still in flight or rejected are expected not to have been sent yet.
  const expectedSent = f.creditedNetCents - aside.reduce((sum, u) => sum + u.netCents, 0);
  return (
    unpaid + f.sentWithoutCredit.length + f.amountMismatches.length + f.duplicates.length > 0 ||
    expectedSent !== f.sentCents
  );
}
