import { formatBRL, netCreditedAmount, owedCents } from './money';
import type { CreditedInvoice } from './types';

/** The amounts a payout shows: what was credited net of the fee, reversed before sending, and sent or to send. */
export interface PayoutAmounts {
  netCents: number;
  /** What the payer got back before the transfer was made (not sent); undefined when nothing. */
  reversedCents?: number;
  /** What the transfer sends, or would send now (0: nothing left). */
  sendCents: number;
}

/** Before sending: credited − fee − reversed so far is what a transfer would send now. */
export function amountsOwed(credited: CreditedInvoice): PayoutAmounts {
  return {
    netCents: netCreditedAmount(credited),
    reversedCents: credited.reversedCents > 0 ? credited.reversedCents : undefined,
    sendCents: Math.max(0, owedCents(credited)),
  };
}

/** Once a transfer was made: it sent what was owed then, so the rest of the net had been reversed before it. */
export function amountsSent(netCents: number | undefined, sentCents: number): PayoutAmounts {
  const net = netCents ?? sentCents;
  return { netCents: net, reversedCents: net > sentCents ? net - sentCents : undefined, sendCents: sentCents };
}

/** Why a payout ends without a transfer although its invoice was credited. */
export function nothingLeftReason(c: CreditedInvoice): string {
  if (c.reversedCents === 0)
    return `credited ${formatBRL(c.amount)} minus fee ${formatBRL(c.fee)} leaves nothing to send`;
  return (
    `credited ${formatBRL(c.amount)} minus fee ${formatBRL(c.fee)} minus ${formatBRL(c.reversedCents)} ` +
    'reversed by the payer leaves nothing to send'
  );
}
