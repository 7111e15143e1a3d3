import { log, proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './activityTypes';
import { ErrorTypes } from '../domain/errorTypes';
import { batchIdFromWorkflowId, pickInRange, type IssuanceInput, type IssuanceResult } from '../domain/issuance';
import { formatBRL } from '../domain/money';
import { BatchIdKey } from '../temporal/searchAttributes';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    // An invoice the API refuses will be refused again: fail the run visibly instead.
    nonRetryableErrorTypes: [ErrorTypes.input, ErrorTypes.notFound],
  },
});

/**
 * One scheduled run: issues a random number (in the configured range) of invoices to random people.
 * The batch id comes from the workflow id, which the Schedule makes unique per scheduled time.
 */
export async function issueInvoices(input: IssuanceInput): Promise<IssuanceResult> {
  const batchId = batchIdFromWorkflowId(workflowInfo().workflowId);
  upsertSearchAttributes([{ key: BatchIdKey, value: batchId }]);
  // Temporal seeds Math.random and fixes Date.now per run inside workflows, so the plan replays identically. It
  // holds amounts and dates only: the payers are made when the invoices are created, never kept in history.
  const count = pickInRange(Math.random(), input.count);
  const due = new Date(Date.now() + input.dueInDays * 86_400_000).toISOString();
  const plans = Array.from({ length: count }, (_, index) => ({
    index,
    amount: pickInRange(Math.random(), input.amountCents),
    due,
  }));
  const issued = await acts.createInvoices({ batchId, plans });
  const totalCents = issued.reduce((sum, invoice) => sum + invoice.amount, 0);
  setCurrentDetails(`Issued ${issued.length} invoices, total ${formatBRL(totalCents)} (batch ${batchId})`);
  log.info('invoices issued', { batchId, count: issued.length, totalCents });
  return { batchId, count: issued.length, totalCents, invoiceIds: issued.map((i) => i.id) };
}
