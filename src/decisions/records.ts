import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import {
  DECISION_RECORD_WORKFLOW_TYPE,
  decisionRecordWorkflowId,
  openCaseUpdate,
  RECORD_MEMO_KEY,
  recordDecisionUpdate,
  type DecisionEntry,
  type DecisionRecordState,
  type DecisionRecordWorkflow,
  type OpenCase,
} from '../workflows/decisionRecordDefinitions';

/**
 * The client side of decision records: the durable store of operator decisions and open cases (docs/operations.md
 * says why it is a workflow). Reads come from the record's memo, so they need no worker; writes are Updates that
 * start the record when it does not exist yet.
 */

const entrySchema = z.object({
  id: z.string(),
  action: z.enum(['approve', 'reject', 'retry', 'restart']),
  operator: z.string(),
  note: z.string().optional(),
  at: z.string(),
  payoutStatus: z.string(),
});
export const decisionRecordSchema = z.object({
  invoiceId: z.string(),
  entries: z.array(entrySchema),
  rejected: entrySchema.optional(),
  openCase: z
    .object({
      kind: z.enum(['closed-without-transfer', 'credit-older-than-retention']),
      reason: z.string(),
      since: z.string(),
    })
    .optional(),
});

/** The invoice's decision record, or undefined when no decision was ever taken on it. */
export async function readDecisionRecord(client: Client, invoiceId: string): Promise<DecisionRecordState | undefined> {
  try {
    const { memo } = await client.workflow.getHandle(decisionRecordWorkflowId(invoiceId)).describe();
    // A record that has not written its memo yet has nothing in it.
    const raw = memo?.[RECORD_MEMO_KEY];
    return raw === undefined ? undefined : decisionRecordSchema.parse(raw);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

function startRecord(invoiceId: string, taskQueue: string) {
  return new WithStartWorkflowOperation<DecisionRecordWorkflow>(DECISION_RECORD_WORKFLOW_TYPE, {
    workflowId: decisionRecordWorkflowId(invoiceId),
    taskQueue,
    args: [{ invoiceId, entries: [] }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Operator decisions on invoice ${invoiceId}`,
  });
}

/** Records an operator decision durably; recording the same entry id twice records it once. */
export function recordDecision(
  client: Client,
  taskQueue: string,
  invoiceId: string,
  entry: DecisionEntry,
): Promise<DecisionRecordState> {
  return client.workflow.executeUpdateWithStart(recordDecisionUpdate, {
    args: [entry],
    updateId: entry.id,
    startWorkflowOperation: startRecord(invoiceId, taskQueue),
  });
}

/** Opens a case a person must resolve (nothing automatic will act on the invoice); a rejected invoice stays resolved. */
export function openCase(
  client: Client,
  taskQueue: string,
  invoiceId: string,
  opened: Omit<OpenCase, 'since'>,
): Promise<DecisionRecordState> {
  return client.workflow.executeUpdateWithStart(openCaseUpdate, {
    args: [opened],
    startWorkflowOperation: startRecord(invoiceId, taskQueue),
  });
}
