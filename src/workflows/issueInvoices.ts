import { log, proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './activityTypes';
import { ErrorTypes } from '../domain/errorTypes';
import { batchIdFromWorkflowId, planIssuance, type IssuanceInput, type IssuanceResult } from '../domain/issuance';
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
  // Drawn from the run's own seeded stream, not Math.random (tracing draws span ids from that), and Date.now is
  // fixed per task, so the plan replays identically. Amounts and dates only: payers are made at create time.
  const plans = planIssuance(workflowInfo().workflowId, input, Date.now());
  const issued = await acts.createInvoices({ batchId, plans });
  const totalCents = issued.reduce((sum, invoice) => sum + invoice.amount, 0);
  setCurrentDetails(`Issued ${issued.length} invoices, total ${formatBRL(totalCents)} (batch ${batchId})`);
  log.info('invoices issued', { batchId, count: issued.length, totalCents });
  return { batchId, count: issued.length, totalCents, invoiceIds: issued.map((i) => i.id) };
}
