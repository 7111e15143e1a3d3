/** Money is always integer cents. */
export function assertCents(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be integer cents, got ${value}`);
}

/** What a credited invoice leaves to forward: the amount actually paid minus Stark Bank's fee. */
export function netCreditedAmount(credited: { amount: number; fee: number }): number {
  assertCents(credited.amount, 'credited amount');
  assertCents(credited.fee, 'fee');
  return credited.amount - credited.fee;
}

/**
 * What the product owes for a credited invoice now: the net minus what the payer got back by reversals. Zero or
 * less means nothing is left to send.
 */
export function owedCents(credited: { amount: number; fee: number; reversedCents: number }): number {
  assertCents(credited.reversedCents, 'reversed amount');
  return netCreditedAmount(credited) - credited.reversedCents;
}

/**
 * What the payer got back of a credited invoice, given what the invoice still holds: its current amount and the
 * amount after each `reversed` log. The lowest wins, so a log or an invoice read that lags the other changes nothing.
 */
export function reversedCents(creditedAmount: number, remaining: readonly number[]): number {
  for (const cents of remaining) assertCents(cents, 'remaining amount');
  // Stryker disable next-line ConditionalExpression: equivalent, Math.min() of nothing is Infinity: 0 too
  return remaining.length === 0 ? 0 : Math.max(0, creditedAmount - Math.min(...remaining));
}

/** The reversal loss: money a transfer sent beyond what is owed now, which the payer took back after it left. */
export function reversalLossCents(sentCents: number, owed: number): number {
  return Math.max(0, sentCents - Math.max(0, owed));
}

export function formatBRL(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}R$ ${Math.floor(abs / 100).toLocaleString('pt-BR')},${String(abs % 100).padStart(2, '0')}`;
}
