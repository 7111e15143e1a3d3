import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { openCase, openLossCase, recordDecision } from '../decisions/records';
import type { LossCase } from '../workflows/decisionRecordDefinitions';
import type { ReversalLoss } from '../domain/reconciliation';
import { reversalLossCents, reversalLosses } from '../observability/metrics';
import type { DecisionEntry, OpenCase } from '../workflows/decisionRecordDefinitions';

export interface DecisionActivityDeps {
  client: Client;
  taskQueue: string;
}

/** Opens the case of a reversal loss and counts it the first time (the payout or reconciliation finds it). */
export async function reportReversalLoss(client: Client, taskQueue: string, loss: ReversalLoss): Promise<LossCase> {
  const result = await openLossCase(client, taskQueue, loss);
  if (result === 'case-opened') {
    reversalLosses.inc();
    reversalLossCents.inc(loss.lossCents);
  }
  return result;
}

export function createDecisionActivities({ client, taskQueue }: DecisionActivityDeps) {
  return {
    /**
     * Records an operator decision beyond the payout's own lifetime, before the payout acts on it. A decision the
     * payout took as an Update is recorded with the identity of whoever sent the Update (the workflow cannot read
     * it: the SDK does not hand an Update's request metadata to workflow code); returns that identity.
     */
    async recordDecision({
      invoiceId,
      entry,
      acceptedIn,
    }: {
      invoiceId: string;
      entry: DecisionEntry;
      acceptedIn?: { runId: string; updateId: string };
    }): Promise<string | undefined> {
      const workflowId = Context.current().info.workflowExecution?.workflowId;
      const caller = entry.caller ?? (acceptedIn && workflowId && (await updateCaller(client, workflowId, acceptedIn)));
      await recordDecision(client, taskQueue, invoiceId, { ...entry, ...(caller && { caller }) });
      return caller;
    },

    /** Opens a case for a person on the invoice's record. */
    async openCase({ invoiceId, opened }: { invoiceId: string; opened: Omit<OpenCase, 'since'> }): Promise<void> {
      await openCase(client, taskQueue, invoiceId, opened);
    },

    /** Lists a reversal that came after the payout's transfer for an operator, with its metric. */
    recordReversalLoss(loss: ReversalLoss): Promise<LossCase> {
      return reportReversalLoss(client, taskQueue, loss);
    },
  };
}

/** The identity a client sent an Update with, from the run's history (its "accepted" event keeps the request). */
export async function updateCaller(
  client: Client,
  workflowId: string,
  { runId, updateId }: { runId: string; updateId: string },
): Promise<string | undefined> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  for (const event of history.events ?? []) {
    const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    if (request?.meta?.updateId === updateId) return request.meta.identity?.trim() || undefined;
  }
  return undefined;
}
