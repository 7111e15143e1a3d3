/**
 * Today's (UTC) total of payout transfers, for the daily guardrail. The exact figure is a paged query over all of
 * today's transfers, so concurrent payouts share one query for `ttlMs`, and transfers this worker creates meanwhile
 * are added to the shared figure. Transfers other workers create within `ttlMs` are not seen yet.
 */
export function createDailyPayoutTotal(queryTotal: (day: string) => Promise<number>, now: () => Date, ttlMs = 2_000) {
  let cached: { day: string; at: number; total: Promise<number> } | undefined;
  const dayOf = (date: Date) => date.toISOString().slice(0, 10);

  /** A failed query is never served from the cache: the next caller asks again. */
  const remember = (entry: NonNullable<typeof cached>) => {
    entry.total.catch(() => {
      if (cached === entry) cached = undefined;
    });
  };

  return {
    get(): Promise<number> {
      const at = now();
      const day = dayOf(at);
      if (!cached || cached.day !== day || at.getTime() - cached.at > ttlMs) {
        cached = { day, at: at.getTime(), total: queryTotal(day) };
        remember(cached);
      }
      return cached.total;
    },

    /**
     * Counts a transfer this worker just created, until the next query includes it. A query already in flight may
     * then count it twice: the error is on the safe side of the limit.
     */
    add(amount: number): void {
      if (!cached || cached.day !== dayOf(now())) return;
      cached.total = cached.total.then((sum) => sum + amount);
      remember(cached);
    },
  };
}
