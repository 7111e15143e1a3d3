import type { PayoutFacts } from './activityTypes';
import { Backoff } from '../domain/backoff';
import { reads } from './payoutActivities';
import type { PayoutInput } from './payoutDefinitions';
import type { PayoutProgress } from './payoutProgress';

/**
 * What the payout's check reads, waiting a while for a credited log that lags the event (or an invoice that the
 * API does not show yet): `credited` stays undefined only if it never comes.
 */
export async function readFacts(progress: PayoutProgress, input: PayoutInput): Promise<PayoutFacts> {
  const { firstSeconds, waits } = input.creditWait ?? { firstSeconds: 10, waits: 5 };
  const backoff = new Backoff(firstSeconds, firstSeconds * 2 ** waits);
  for (let waited = 0; ; waited++) {
    const facts = await reads.readPayoutFacts(input.invoiceId);
    if (facts.credited || waited >= waits) return facts;
    await progress.wait(() => false, backoff.next());
  }
}
