import starkbank from 'starkbank';
import { ApplicationFailure } from '@temporalio/common';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { invoiceLogSchema, invoiceSchema, type InvoiceLog } from '../starkbank/schemas';
import type { CreditedInvoice } from '../domain/types';
import { reversedCents } from '../domain/money';
import { ErrorTypes } from '../domain/errorTypes';
import { starkCall } from './starkCall';

/** The `credited` and `reversed` logs of one invoice: amount and fee as credited, and what is left after each reversal. */
async function creditLogs(user: StarkUser, invoiceId: string): Promise<InvoiceLog[]> {
  const logs = await starkCall(`query credited and reversed logs of invoice ${invoiceId}`, () =>
    collect(
      starkbank.invoice.log.query({ invoiceIds: [invoiceId], types: ['credited', 'reversed'], user }),
      invoiceLogSchema,
    ),
  );
  return logs.filter((log) => log.invoice.id === invoiceId);
}

function creditedOf(invoiceId: string, logs: InvoiceLog[], status: string, stillHeld: number[]): CreditedInvoice {
  const credited = logs.find((log) => log.type === 'credited')!;
  const { amount, fee } = credited.invoice;
  const remaining = [...stillHeld, ...logs.filter((l) => l.type === 'reversed').map((l) => l.invoice.amount)];
  return { invoiceId, amount, fee, status, reversedCents: reversedCents(amount, remaining) };
}

/**
 * A credited invoice from its logs alone (one request), or undefined while it has no credited log: what a payout's
 * check shows and its bookkeeping after a transfer needs. The send gate reads the invoice itself too.
 */
export async function readCreditFromLogs(user: StarkUser, invoiceId: string): Promise<CreditedInvoice | undefined> {
  const logs = await creditLogs(user, invoiceId);
  const credited = logs.find((log) => log.type === 'credited');
  return credited ? creditedOf(invoiceId, logs, credited.invoice.status, []) : undefined;
}

/**
 * Reads a credited invoice from the API, the source of truth for amount, fee and reversals (a webhook body only
 * tells us something happened). Amount and fee come from the `credited` log's snapshot; what was reversed since,
 * from the `reversed` logs and the invoice itself, which holds what is left, read at the same time; the lowest
 * wins, so a read that lags the other changes nothing. Without a credited log it fails with `invoiceNotCredited`,
 * or `notFound` for an unknown invoice (404).
 */
export async function readCreditedInvoice(user: StarkUser, invoiceId: string): Promise<CreditedInvoice> {
  const [logs, got] = await Promise.all([
    creditLogs(user, invoiceId),
    starkCall(`get invoice ${invoiceId}`, () => starkbank.invoice.get(invoiceId, { user })),
  ]);
  const invoice = invoiceSchema.parse(got);
  if (!logs.some((log) => log.type === 'credited')) {
    // The log may simply not be visible yet: the payout decides how long to wait for it, so this attempt must not
    // be retried for ever by the activity's own retry policy.
    throw ApplicationFailure.nonRetryable(
      `invoice ${invoiceId} has no credited log (status ${invoice.status})`,
      ErrorTypes.invoiceNotCredited,
    );
  }
  return creditedOf(invoiceId, logs, invoice.status, [invoice.amount]);
}
