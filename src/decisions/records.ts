import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { formatBRL } from '../domain/money';
import { parse } from '../domain/schema';
import { recordsTaskQueue } from '../temporal/taskQueues';
import type { ReversalLoss } from '../domain/reconciliation';
import {
  DECISION_RECORD_WORKFLOW_TYPE,
  decisionRecordStateSchema,
  decisionRecordWorkflowId,
  openCaseUpdate,
  RECORD_MEMO_KEY,
  recordDecisionUpdate,
  type DecisionEntry,
  type DecisionRecordState,
  type DecisionRecordWorkflow,
  type LossCase,
  type OpenCase,
} from '../workflows/decisionRecordDefinitions';

/**
 * The client side of decision records: the durable store of operator decisions and open cases (docs/operations.md
 * says why it is a workflow). Reads come from the record's memo, so they need no worker; writes are Updates that
 * start the record when it does not exist yet.
 */

/** The invoice's decision record, or undefined when no decision was ever taken on it. */
export async function readDecisionRecord(client: Client, invoiceId: string): Promise<DecisionRecordState | undefined> {
  try {
    const { memo } = await client.workflow.getHandle(decisionRecordWorkflowId(invoiceId)).describe();
    // A record that has not written its memo yet has nothing in it.
    const raw = memo?.[RECORD_MEMO_KEY];
    return raw === undefined ? undefined : parse(decisionRecordStateSchema, raw, 'decision record');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

function startRecord(invoiceId: string, taskQueue: string) {
  return new WithStartWorkflowOperation<DecisionRecordWorkflow>(DECISION_RECORD_WORKFLOW_TYPE, {
    workflowId: decisionRecordWorkflowId(invoiceId),
    taskQueue: recordsTaskQueue(taskQueue),
    args: [{ invoiceId, entries: [], openCases: [] }],
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

/**
 * Lists a reversal loss for a person: opens a `reversal-loss` case on the invoice's record, unless one for this loss
 * (or a larger one) is open or acknowledged. The product cannot pull the money back.
 */
export async function openLossCase(client: Client, taskQueue: string, loss: ReversalLoss): Promise<LossCase> {
  // Reconciliation finds the same loss every run: the memo answers without an Update (two history events) each time.
  const known = await readDecisionRecord(client, loss.invoiceId);
  const lossCase = (r?: DecisionRecordState) => r?.openCases.find((c) => c.kind === 'reversal-loss');
  if ((lossCase(known)?.lossCents ?? 0) >= loss.lossCents) return 'case-open';
  if ((known?.acknowledgedLossCents ?? 0) >= loss.lossCents) return 'acknowledged';
  const openedBy = randomUUID();
  const record = await openCase(client, taskQueue, loss.invoiceId, {
    kind: 'reversal-loss',
    reason:
      `transfer ${loss.transferId} sent ${formatBRL(loss.sentCents)}; after reversals ${formatBRL(Math.max(0, loss.owedCents))} ` +
      `is owed: ${formatBRL(loss.lossCents)} left that the payer took back (ops payouts acknowledge)`,
    lossCents: loss.lossCents,
    openedBy,
  });
  const open = lossCase(record);
  if (open?.openedBy === openedBy) return 'case-opened';
  return open ? 'case-open' : 'acknowledged';
}
