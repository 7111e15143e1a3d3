import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { describeIssues, safeParse } from '../domain/schema';
import { payoutWorkflowId } from '../domain/payoutIds';
import { InvoiceIdKey, PayoutStatusKey } from '../temporal/searchAttributes';
import { ACKNOWLEDGED_CASES, type DecisionEntry, type OperatorAction } from '../workflows/decisionRecordDefinitions';
import {
  approveUpdate,
  operatorDecisionSchema,
  PAYOUT_WORKFLOW_TYPE,
  rejectUpdate,
  retryUpdate,
  type OperatorDecision,
  type PayoutInput,
  type PayoutState,
  type PayoutWorkflow,
} from '../workflows/payoutDefinitions';
import type { InvoiceFound } from '../workflows/activityTypes';
import type { lookUpInvoice } from '../workflows/invoiceLookup';
import { readDecisionRecord, recordDecision } from './records';

/** An operator decision the product refused, with the reason in words an operator can act on. */
export class DecisionRefusedError extends Error {
  override name = 'DecisionRefusedError';
}

export type DecisionResult =
  | { applied: 'payout'; state: PayoutState }
  | { applied: 'record'; payoutStatus: string; alreadyRejected?: DecisionEntry }
  | { applied: 'restarted'; runId: string };

/** How a decision entry shows that the invoice had no payout because it was never credited. */
export const NEVER_STARTED = 'Missing (never credited)';

/** A parsed decision and the client that sends it. */
type Decider = OperatorDecision & { caller?: string };

const updates = { approve: approveUpdate, reject: rejectUpdate, retry: retryUpdate } as const;

/**
 * Carries out an operator decision on an invoice's payout:
 * - approve, retry: an Update of the running payout, which accepts it only if it waits for that decision;
 * - reject: the running payout's Update, or, when its payout has closed or is gone, the decision record alone, so
 *   nothing automatic starts it again;
 * - restart: only for a payout that closed or is gone: recorded, then a new run starts (it takes over any transfer
 *   an earlier run made, so it never sends twice);
 * - acknowledge: only for an open case about money that already left (a reversal loss, a transfer sent despite a
 *   rejection): recorded, the case closes, and only a larger loss opens a reversal loss case again.
 */
export async function decide(
  client: Client,
  taskQueue: string,
  action: OperatorAction,
  invoiceId: string,
  given: OperatorDecision,
): Promise<DecisionResult> {
  // The workflows refuse a malformed decision too; refusing here first keeps a reject of a closed payout honest.
  const parsed = safeParse(operatorDecisionSchema, given);
  if (!parsed.success) throw new DecisionRefusedError(`${action} needs an operator: ${describeIssues(parsed.issues)}`);
  const by: Decider = { ...parsed.data, caller: callerOf(client) };
  const handle = client.workflow.getHandle(payoutWorkflowId(invoiceId));
  const described = await handle.describe().catch((err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  });
  const running = described?.status.name === 'RUNNING';
  const payoutStatus = described
    ? (described.typedSearchAttributes.get(PayoutStatusKey) ?? described.status.name)
    : 'Missing';

  if (action === 'acknowledge') {
    const record = await readDecisionRecord(client, invoiceId);
    if (!record?.openCases.some((c) => ACKNOWLEDGED_CASES.includes(c.kind))) {
      throw new DecisionRefusedError(
        `invoice ${invoiceId} has no case to acknowledge (a reversal loss, or money sent despite a rejection)`,
      );
    }
    await recordDecision(client, taskQueue, invoiceId, entryOf('acknowledge', by, recordStatus(payoutStatus, running)));
    return { applied: 'record', payoutStatus };
  }
  // Without a payout, the id may be a typo: Stark Bank must know the invoice before anything is recorded for it.
  let missing = 'Missing';
  if (!described && (action === 'reject' || action === 'restart')) {
    const found = await lookUpInvoiceOf(client, taskQueue, invoiceId);
    if (!found.found) {
      throw new DecisionRefusedError(
        `invoice ${invoiceId} does not exist at Stark Bank and has no payout: nothing recorded (check the id)`,
      );
    }
    if (action === 'restart' && !found.credited) {
      throw new DecisionRefusedError(
        `invoice ${invoiceId} was never credited (status ${found.status}): there is nothing to pay yet`,
      );
    }
    // Only a credit starts a payout: without one, `payouts show` can say it never started, not that it is gone.
    if (!found.credited) missing = NEVER_STARTED;
  }
  if (action === 'restart') {
    if (running)
      throw new DecisionRefusedError(
        `the payout of invoice ${invoiceId} is running (${payoutStatus}): decide with approve, retry or reject`,
      );
    return restart(client, taskQueue, invoiceId, by, payoutStatus);
  }
  if (running) {
    try {
      const args: [OperatorDecision] = [{ operator: by.operator, ...(by.note && { note: by.note }) }];
      return { applied: 'payout', state: await handle.executeUpdate(updates[action], { args }) };
    } catch (err) {
      // The workflow's validator says why (e.g. "cannot approve a payout that is Sending").
      if (err instanceof WorkflowUpdateFailedError) throw new DecisionRefusedError(err.cause?.message ?? err.message);
      throw err;
    }
  }
  if (action !== 'reject') {
    const why = described ? `already finished as ${payoutStatus}` : 'does not exist';
    throw new DecisionRefusedError(`the payout of invoice ${invoiceId} ${why}`);
  }
  const status = described ? recordStatus(payoutStatus, running) : missing;
  // A second reject is recorded too, and says whose came first.
  const first = (await readDecisionRecord(client, invoiceId))?.rejected;
  await recordDecision(client, taskQueue, invoiceId, entryOf('reject', by, status));
  return { applied: 'record', payoutStatus: status, ...(first && { alreadyRejected: first }) };
}

async function restart(
  client: Client,
  taskQueue: string,
  invoiceId: string,
  by: Decider,
  payoutStatus: string,
): Promise<DecisionResult> {
  const entry = entryOf('restart', by, payoutStatus === 'Missing' ? 'Missing' : `Closed (${payoutStatus})`);
  await recordDecision(client, taskQueue, invoiceId, entry);
  try {
    const handle = await client.workflow.start<PayoutWorkflow>(PAYOUT_WORKFLOW_TYPE, {
      workflowId: payoutWorkflowId(invoiceId),
      taskQueue,
      args: [{ invoiceId, restartedBy: entry } satisfies PayoutInput],
      // The one start that may reuse a closed payout's id: an operator asked for it, and it is recorded.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      staticSummary: `Payout of credited invoice ${invoiceId}, restarted by ${by.operator}`,
      typedSearchAttributes: [
        { key: InvoiceIdKey, value: invoiceId },
        { key: PayoutStatusKey, value: 'Received' },
      ],
    });
    return { applied: 'restarted', runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new DecisionRefusedError(`the payout of invoice ${invoiceId} started meanwhile: decide on it instead`);
    }
    throw err;
  }
}

/** Stark Bank's answer, through a short workflow on the worker, which holds the Stark Bank credentials. */
function lookUpInvoiceOf(client: Client, taskQueue: string, invoiceId: string): Promise<InvoiceFound> {
  return client.workflow.execute<typeof lookUpInvoice>('lookUpInvoice', {
    taskQueue,
    workflowId: `invoice-lookup-${invoiceId}-${randomUUID()}`,
    args: [invoiceId],
    staticSummary: `Does Stark Bank know invoice ${invoiceId}? (asked before an operator decision)`,
  });
}

/** The payout's status as a decision entry keeps it: its own while it runs, else `Closed (…)` or `Missing`. */
function recordStatus(payoutStatus: string, running: boolean): string {
  if (running || payoutStatus === 'Missing') return payoutStatus;
  return `Closed (${payoutStatus})`;
}

/** The client's identity as Temporal records it on every request (the CLI's names the user and host). */
export function callerOf(client: Client): string | undefined {
  return client.options.identity?.trim() || undefined;
}

function entryOf(action: OperatorAction, by: Decider, payoutStatus: string): DecisionEntry {
  return {
    id: `${action}/${randomUUID()}`,
    action,
    operator: by.operator,
    ...(by.note && { note: by.note }),
    ...(by.caller && { caller: by.caller }),
    at: new Date().toISOString(),
    payoutStatus,
  };
}
