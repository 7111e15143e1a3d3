import starkbank from 'starkbank';
import { ApplicationFailure } from '@temporalio/common';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { invoiceLogSchema, invoiceSchema } from '../starkbank/schemas';
import type { CreditedInvoice } from '../domain/types';
import { reversedCents } from '../domain/money';
import { ErrorTypes } from '../domain/errorTypes';
import { starkCall } from './starkCall';

export interface InvoiceActivityDeps {
  user: StarkUser;
}

/**
 * Reads a credited invoice from the API, the source of truth for amount, fee and reversals (a webhook body only
 * tells us something happened). Amount and fee come from the `credited` log's snapshot; what was reversed since,
 * from the `reversed` logs and the invoice itself, which holds what is left. Without a credited log it fails with
 * `invoiceNotCredited`, or `notFound` for an unknown invoice (404), so the payout can tell the two apart.
 */
export async function readCreditedInvoice(user: StarkUser, invoiceId: string): Promise<CreditedInvoice> {
  const logs = await starkCall(`query credited and reversed logs of invoice ${invoiceId}`, () =>
    collect(
      starkbank.invoice.log.query({ invoiceIds: [invoiceId], types: ['credited', 'reversed'], user }),
      invoiceLogSchema,
    ),
  );
  const ofInvoice = logs.filter((log) => log.invoice.id === invoiceId);
  const credited = ofInvoice.find((log) => log.type === 'credited');
  const invoice = invoiceSchema.parse(
    await starkCall(`get invoice ${invoiceId}`, () => starkbank.invoice.get(invoiceId, { user })),
  );
  if (!credited) {
    // The log may simply not be visible yet: the workflow decides how long to wait for it, so this
    // attempt must not be retried for ever by the activity's own retry policy.
    throw ApplicationFailure.nonRetryable(
      `invoice ${invoiceId} has no credited log (status ${invoice.status})`,
      ErrorTypes.invoiceNotCredited,
    );
  }
  const { amount, fee } = credited.invoice;
  const remaining = [invoice.amount, ...ofInvoice.filter((l) => l.type === 'reversed').map((l) => l.invoice.amount)];
  return { invoiceId, amount, fee, status: invoice.status, reversedCents: reversedCents(amount, remaining) };
}

export function createInvoiceActivities({ user }: InvoiceActivityDeps) {
  return {
    /** The credited invoice as the API has it now, reversals included (see readCreditedInvoice). */
    getCreditedInvoice(invoiceId: string): Promise<CreditedInvoice> {
      return readCreditedInvoice(user, invoiceId);
    },
  };
}
