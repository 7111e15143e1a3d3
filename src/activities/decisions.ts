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
    /** Records an operator decision beyond the payout's own lifetime, before the payout acts on it. */
    async recordDecision({ invoiceId, entry }: { invoiceId: string; entry: DecisionEntry }): Promise<void> {
      await recordDecision(client, taskQueue, invoiceId, entry);
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
