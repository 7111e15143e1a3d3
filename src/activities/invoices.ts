import starkbank from 'starkbank';
import { ApplicationFailure } from '@temporalio/common';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { invoiceLogSchema, invoiceSchema } from '../starkbank/schemas';
import type { CreditedInvoice } from '../domain/types';
import { ErrorTypes } from '../domain/errorTypes';
import { starkCall } from './starkCall';

export interface InvoiceActivityDeps {
  user: StarkUser;
}

export function createInvoiceActivities({ user }: InvoiceActivityDeps) {
  return {
    /**
     * Re-reads a credited invoice from the API, the source of truth for amount and fee (a webhook body only tells
     * us something happened). The amounts and status come from the `credited` log's snapshot of the invoice. The
     * invoice itself is read only when that log is missing, to tell an unknown invoice (404, the payout is
     * invalid) from one not credited yet.
     */
    async getCreditedInvoice(invoiceId: string): Promise<CreditedInvoice> {
      const logs = await starkCall(`query credited log of invoice ${invoiceId}`, () =>
        collect(starkbank.invoice.log.query({ invoiceIds: [invoiceId], types: ['credited'], user }), invoiceLogSchema),
      );
      const credited = logs.find((log) => log.type === 'credited' && log.invoice.id === invoiceId);
      if (credited) {
        const { amount, fee, status } = credited.invoice;
        return { invoiceId, amount, fee, status };
      }
      const invoice = invoiceSchema.parse(
        await starkCall(`get invoice ${invoiceId}`, () => starkbank.invoice.get(invoiceId, { user })),
      );
      // The log may simply not be visible yet: the workflow decides how long to wait for it, so this
      // attempt must not be retried for ever by the activity's own retry policy.
      throw ApplicationFailure.nonRetryable(
        `invoice ${invoiceId} has no credited log (status ${invoice.status})`,
        ErrorTypes.invoiceNotCredited,
      );
    },
  };
}
