import { Backoff } from '../domain/backoff';
import { ErrorTypes } from '../domain/errorTypes';
import type { CreditedInvoice, TransferSnapshot } from '../domain/types';
import { reads } from './payoutActivities';
import type { PayoutInput } from './payoutDefinitions';
import type { PayoutProgress } from './payoutProgress';
import { setbackOf } from './setback';

// Not there yet: a credited log may lag the event, and a 404 may come from something between us and the API.
const NOT_YET: string[] = [ErrorTypes.notFound, ErrorTypes.invoiceNotCredited];

/** The credited invoice, waiting a while for a credited log that lags the event; undefined if it never comes. */
export async function readCreditedInvoice(
  progress: PayoutProgress,
  input: PayoutInput,
): Promise<CreditedInvoice | undefined> {
  const { firstSeconds, waits } = input.creditWait ?? { firstSeconds: 10, waits: 5 };
  const backoff = new Backoff(firstSeconds, firstSeconds * 2 ** waits);
  for (let waited = 0; ; waited++) {
    try {
      return await reads.getCreditedInvoice(input.invoiceId);
    } catch (err) {
      if (!NOT_YET.includes(setbackOf(err).errorType ?? '')) throw err;
      if (waited >= waits) return undefined;
      await progress.wait(() => false, backoff.next());
    }
  }
}

/** A transfer as the API has it now: the API, not the event, is the source of truth for its status. */
export async function lookUpTransfer(transfer: TransferSnapshot): Promise<TransferSnapshot> {
  return (await reads.lookUpTransfer(transfer.externalId)) ?? transfer;
}
