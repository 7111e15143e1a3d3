import type { Client } from '@temporalio/client';
import client from 'prom-client';
import { PAYOUT_STATUSES, type PayoutStatus } from '../workflows/payoutDefinitions';
import { DecisionStateKey, PayoutStatusKey } from '../temporal/searchAttributes';
import { DECISION_RECORD_WORKFLOW_TYPE } from '../workflows/decisionRecordDefinitions';
import { registry } from './metrics';

const WAITING = ['AwaitingApproval', 'NeedsAttention', 'TransferFailed'] as const;

interface PayoutCounts {
  byStatus: Record<PayoutStatus, number>;
  pending: number;
  cases: number;
}

/**
 * Payouts of this deployment (its task queue) by status, approvals pending and open cases, counted in Temporal
 * visibility at scrape time, at most once per `maxAgeMs` however often it is scraped. One process of a deployment
 * serves them (PAYOUT_GAUGES): replicas would only repeat the same counts.
 */
export function registerPayoutGauges(temporal: Client, taskQueue: string, maxAgeMs = 15_000): void {
  let cached: { at: number; counts: Promise<PayoutCounts> } | undefined;
  const counts = () => {
    if (!cached || Date.now() - cached.at > maxAgeMs) {
      const pending = countPayouts(temporal, taskQueue);
      cached = { at: Date.now(), counts: pending };
      // A failed count is not kept: the next scrape tries again.
      pending.catch(() => (cached = undefined));
    }
    return cached.counts;
  };
  const byStatus = new client.Gauge({
    name: 'payouts',
    help: 'Payout workflows by PayoutStatus (from Temporal visibility)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const c = await counts();
      for (const status of PAYOUT_STATUSES) byStatus.set({ status }, c.byStatus[status]);
    },
  });
  const pending = new client.Gauge({
    name: 'payout_approvals_pending',
    help: 'Running payouts waiting for an operator (AwaitingApproval, NeedsAttention, TransferFailed)',
    registers: [registry],
    async collect() {
      pending.set((await counts()).pending);
    },
  });
  const cases = new client.Gauge({
    name: 'payout_cases_open',
    help: 'Credited invoices no automatic path will pay until a person acts (closed without paying, too old)',
    registers: [registry],
    async collect() {
      cases.set((await counts()).cases);
    },
  });
}

async function countPayouts(temporal: Client, taskQueue: string): Promise<PayoutCounts> {
  const ours = `WorkflowType="payout" AND TaskQueue="${taskQueue}"`;
  const count = async (query: string) => (await temporal.workflow.count(query)).count;
  const [statusCounts, waiting, cases] = await Promise.all([
    Promise.all(PAYOUT_STATUSES.map((status) => count(`${ours} AND ${PayoutStatusKey.name}="${status}"`))),
    // Three equality counts: the dev server's SQLite visibility mis-counts an IN (...) over custom attributes.
    Promise.all(
      WAITING.map((status) => count(`${ours} AND ExecutionStatus="Running" AND ${PayoutStatusKey.name}="${status}"`)),
    ),
    count(
      `WorkflowType="${DECISION_RECORD_WORKFLOW_TYPE}" AND ExecutionStatus="Running" AND TaskQueue="${taskQueue}" ` +
        `AND ${DecisionStateKey.name}="NeedsPerson"`,
    ),
  ]);
  return {
    byStatus: Object.fromEntries(PAYOUT_STATUSES.map((s, i) => [s, statusCounts[i]!])) as Record<PayoutStatus, number>,
    pending: waiting.reduce((sum, n) => sum + n, 0),
    cases,
  };
}
