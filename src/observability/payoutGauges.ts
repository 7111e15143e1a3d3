import type { Client } from '@temporalio/client';
import client from 'prom-client';
import { PAYOUT_STATUSES } from '../workflows/payoutDefinitions';
import { DecisionStateKey, PayoutStatusKey } from '../temporal/searchAttributes';
import { DECISION_RECORD_WORKFLOW_TYPE } from '../workflows/decisionRecordDefinitions';
import { registry } from './metrics';

const WAITING = ['AwaitingApproval', 'NeedsAttention', 'TransferFailed'] as const;

/**
 * Payouts of this deployment (its task queue) by status, and approvals pending, read from Temporal visibility at
 * scrape time: the numbers come from the source of truth, so every worker replica reports the same values.
 */
export function registerPayoutGauges(temporal: Client, taskQueue: string): void {
  const ours = `WorkflowType="payout" AND TaskQueue="${taskQueue}"`;
  const byStatus = new client.Gauge({
    name: 'payouts',
    help: 'Payout workflows by PayoutStatus (from Temporal visibility)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await Promise.all(
        PAYOUT_STATUSES.map((status) => temporal.workflow.count(`${ours} AND ${PayoutStatusKey.name}="${status}"`)),
      );
      PAYOUT_STATUSES.forEach((status, i) => byStatus.set({ status }, counts[i]!.count));
    },
  });
  const pending = new client.Gauge({
    name: 'payout_approvals_pending',
    help: 'Running payouts waiting for an operator (AwaitingApproval, NeedsAttention, TransferFailed)',
    registers: [registry],
    async collect() {
      // Three equality counts: the dev server's SQLite visibility mis-counts an IN (...) over custom attributes.
      const counts = await Promise.all(
        WAITING.map((status) =>
          temporal.workflow.count(`${ours} AND ExecutionStatus="Running" AND ${PayoutStatusKey.name}="${status}"`),
        ),
      );
      const count = counts.reduce((sum, c) => sum + c.count, 0);
      pending.set(count);
    },
  });
  const cases = new client.Gauge({
    name: 'payout_cases_open',
    help: 'Credited invoices no automatic path will pay until a person acts (closed without paying, too old)',
    registers: [registry],
    async collect() {
      const query = `WorkflowType="${DECISION_RECORD_WORKFLOW_TYPE}" AND ExecutionStatus="Running" AND TaskQueue="${taskQueue}" AND ${DecisionStateKey.name}="NeedsPerson"`;
      cases.set((await temporal.workflow.count(query)).count);
    },
  });
}
