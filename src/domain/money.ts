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

export function formatBRL(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}R$ ${Math.floor(abs / 100).toLocaleString('pt-BR')},${String(abs % 100).padStart(2, '0')}`;
}
