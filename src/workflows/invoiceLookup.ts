import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities, InvoiceFound } from './activityTypes';
import { ErrorTypes } from '../domain/errorTypes';

const { findInvoice } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 4, nonRetryableErrorTypes: [ErrorTypes.input] },
});

/**
 * Asks Stark Bank whether an invoice exists, for the operator CLI, which holds no Stark Bank credentials: the
 * worker does. Run before a decision on an invoice that has no payout.
 */
export async function lookUpInvoice(invoiceId: string): Promise<InvoiceFound> {
  return findInvoice(invoiceId);
}
