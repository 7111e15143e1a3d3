import type { Client } from '@temporalio/client';
import { openCase, readDecisionRecord, recordDecision } from '../decisions/records';
import type { DecisionEntry, DecisionRecordState, OpenCase } from '../workflows/decisionRecordDefinitions';

export interface DecisionActivityDeps {
  client: Client;
  taskQueue: string;
}

export function createDecisionActivities({ client, taskQueue }: DecisionActivityDeps) {
  return {
    /** The invoice's decision record, if an operator ever decided on it (null otherwise). */
    async getDecisionRecord(invoiceId: string): Promise<DecisionRecordState | null> {
      return (await readDecisionRecord(client, invoiceId)) ?? null;
    },

    /** Records an operator decision beyond the payout's own lifetime, before the payout acts on it. */
    async recordDecision({ invoiceId, entry }: { invoiceId: string; entry: DecisionEntry }): Promise<void> {
      await recordDecision(client, taskQueue, invoiceId, entry);
    },

    /** Opens a case for a person on the invoice's record. */
    async openCase({ invoiceId, opened }: { invoiceId: string; opened: Omit<OpenCase, 'since'> }): Promise<void> {
      await openCase(client, taskQueue, invoiceId, opened);
    },
  };
}
