import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { msToNumber, type Duration } from '@temporalio/common/lib/time';
import client, { type Registry } from 'prom-client';
import type { ReconciliationReport } from '../workflows/activityTypes';
import type { UnpaidAction } from '../domain/reconciliation';
import { businessDay } from '../domain/businessDay';
import { budgetQuery, dailyBudgetWorkflowId } from '../workflows/dailyBudgetDefinitions';
import { PAYOUT_STATUSES, payoutListQuery, WAITS_FOR_PERSON, type PayoutStatus } from '../workflows/payoutDefinitions';
import { DecisionStateKey, PayoutAmountKey } from '../temporal/searchAttributes';
import { recordsTaskQueue } from '../temporal/taskQueues';
import { DECISION_RECORD_WORKFLOW_TYPE } from '../workflows/decisionRecordDefinitions';
import { reconcilePayouts } from '../workflows/recovery';
import {
  acquireGaugeLease,
  GAUGE_LEASE_WORKFLOW_TYPE,
  gaugeLeaseWorkflowId,
  type GaugeLeaseWorkflow,
} from '../workflows/gaugeLeaseDefinitions';
import { pauseStatus } from '../decisions/pauseSwitch';
import { registry as processRegistry } from '../observability/metrics';

const UNPAID_ACTIONS: readonly UnpaidAction[] = [
  'payout-started',
  'payout-nudged',
  'rejected',
  'needs-person',
  'credit-too-old',
];

/** What the gauges show: counts from visibility, and the last reconciliation that completed. */
interface Snapshot {
  byStatus: Record<PayoutStatus, number>;
  pending: number;
  /** What the payouts waiting for approval would send, in cents. */
  awaitingCents: number;
  cases: number;
  /** The pause switch: on (fails closed: unreadable counts as on), and for how long, in seconds. */
  pause: { paused: boolean; seconds: number };
  /** What today's business day counts against its maximum, in cents (undefined: no day's budget configured). */
  sentTodayCents?: number;
  reconciliation?: ReconciliationReport;
}

/** The daily maximum and the time zone of its business day, as the send gate applies them. */
export interface DayBudgetSettings {
  dailyMaxCents: number;
  timeZone: string;
}

/**
 * The deployment's gauges: payouts by status, approvals pending and open cases (counted in Temporal visibility),
 * and the figures of the last completed reconciliation (its workflow's result), all read at scrape time, at most
 * once per `maxAgeMs` however often scraped. One process of a deployment serves them: each with PAYOUT_GAUGES asks
 * the deployment's lease (src/workflows/gaugeLease.ts) at each read and serves no series unless it holds it, so
 * two processes set to serve them never both do. A value that lived in whichever worker ran an activity would go
 * stale there and disagree between replicas.
 */
export function registerPayoutGauges(
  temporal: Client,
  taskQueue: string,
  {
    registry = processRegistry,
    maxAgeMs = 15_000,
    leaseTtlMs = 60_000,
    holder = randomUUID(),
    pauseAlertAfter = '1h',
    budget,
  }: {
    registry?: Registry;
    maxAgeMs?: number;
    leaseTtlMs?: number;
    holder?: string;
    pauseAlertAfter?: Duration;
    /** PAYOUT_DAILY_MAX_CENTS and PAYOUT_DAY_TIME_ZONE: without them, no series of today's total or its maximum. */
    budget?: DayBudgetSettings;
  } = {},
): void {
  let cached: { at: number; snapshot: Promise<Snapshot | undefined> } | undefined;
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > maxAgeMs) {
      const reading = holdsLease(temporal, taskQueue, holder, leaseTtlMs).then((held) =>
        held ? readSnapshot(temporal, taskQueue, budget) : undefined,
      );
      cached = { at: Date.now(), snapshot: reading };
      // A failed read is not kept: the next scrape tries again.
      reading.catch(() => (cached = undefined));
    }
    return cached.snapshot;
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    set: (g: client.Gauge<L>, s: Snapshot) => void,
  ) =>
    new client.Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        // Another process holds the lease: no series here at all.
        if (s) set(this, s);
      },
    });

  gauge('payouts', 'Payout workflows by PayoutStatus (from Temporal visibility)', ['status'], (g, s) => {
    for (const status of PAYOUT_STATUSES) g.set({ status }, s.byStatus[status]);
  });
  gauge(
    'payout_approvals_pending',
    'Running payouts waiting for an operator (AwaitingApproval, NeedsAttention, TransferFailed)',
    [],
    (g, s) => g.set(s.pending),
  );
  gauge(
    'payout_approval_pending_cents',
    'What the running payouts waiting for approval (AwaitingApproval) would send, in cents (their PayoutAmount)',
    [],
    (g, s) => g.set(s.awaitingCents),
  );
  gauge(
    'payouts_paused',
    'The operator pause switch: 1 while payouts are paused (or the switch cannot be read: payouts wait then too)',
    [],
    (g, s) => g.set(s.pause.paused ? 1 : 0),
  );
  gauge('payouts_paused_seconds', 'How long the pause switch has been on, in seconds (0 when off)', [], (g, s) =>
    g.set(s.pause.seconds),
  );
  // A gauge, not a number in the rule, so each deployment sets it (PAYOUT_PAUSE_ALERT_AFTER) without editing rules.
  gauge(
    'payouts_paused_alert_after_seconds',
    'How long the pause switch may stay on before PayoutsPausedTooLong fires (PAYOUT_PAUSE_ALERT_AFTER)',
    [],
    (g) => g.set(msToNumber(pauseAlertAfter) / 1_000),
  );
  if (budget) {
    gauge(
      'payouts_sent_today_cents',
      'What the current business day (PAYOUT_DAY_TIME_ZONE) counts against PAYOUT_DAILY_MAX_CENTS, in cents: ' +
        "transfers sent or in flight under the day's budget, and what Stark Bank listed for the day before it began",
      [],
      (g, s) => g.set(s.sentTodayCents ?? 0),
    );
    gauge('payouts_daily_max_cents', 'The daily maximum of transfers in force (PAYOUT_DAILY_MAX_CENTS)', [], (g) =>
      g.set(budget.dailyMaxCents),
    );
  }
  gauge(
    'payout_cases_open',
    'Credited invoices no automatic path will pay until a person acts (closed without paying, too old, reversed)',
    [],
    (g, s) => g.set(s.cases),
  );
  // The last reconciliation's figures; no series until one has completed.
  gauge(
    'reconciliation_drift',
    'Last reconciliation: unpaid credits, money sent without a credit, amount mismatches, duplicates',
    ['kind'],
    (g, s) => {
      if (!s.reconciliation) return;
      for (const [kind, n] of Object.entries(reconciliationDrift(s.reconciliation))) g.set({ kind }, n);
    },
  );
  gauge(
    'reconciliation_unpaid',
    'Last reconciliation: credited invoices without a successful transfer, by what was done about them',
    ['action'],
    (g, s) => {
      const unpaid = s.reconciliation?.unpaid;
      if (!unpaid) return;
      for (const action of UNPAID_ACTIONS) g.set({ action }, unpaid.filter((u) => u.action === action).length);
    },
  );
  gauge(
    'reconciliation_cents',
    'Last reconciliation, in cents over the lookback window: net credited, reversed before and after payout, sent',
    ['side'],
    (g, s) => {
      const r = s.reconciliation;
      if (!r) return;
      g.set({ side: 'credited_net' }, r.creditedNetCents);
      g.set({ side: 'reversed_before_payout' }, r.reversedBeforePayoutCents);
      g.set({ side: 'reversal_loss' }, r.reversalLossCents);
      g.set({ side: 'sent' }, r.sentCents);
    },
  );
  gauge(
    'reconciliation_reversal_losses',
    'Last reconciliation: invoices the payer reversed after their payout sent the money (not drift; a case each)',
    [],
    (g, s) => {
      if (s.reconciliation) g.set(s.reconciliation.reversalLosses.length);
    },
  );
}

/** The drift a reconciliation found, by kind: what the PayoutMoneyDrift and CreditedInvoicesUnpaid alerts watch. */
export function reconciliationDrift(r: ReconciliationReport): Record<string, number> {
  return {
    // In flight or rejected by an operator is not drift.
    unpaid: r.unpaid.filter((u) => u.action !== 'payout-nudged' && u.action !== 'rejected').length,
    sent_without_credit: r.sentWithoutCredit.length,
    amount_mismatch: r.amountMismatches.length,
    duplicate: r.duplicates.length,
  };
}

/** Takes or renews the deployment's gauge lease; whether this process holds it. */
async function holdsLease(temporal: Client, taskQueue: string, holder: string, ttlMs: number): Promise<boolean> {
  const { granted } = await temporal.workflow.executeUpdateWithStart(acquireGaugeLease, {
    args: [{ holder, ttlMs }],
    startWorkflowOperation: new WithStartWorkflowOperation<GaugeLeaseWorkflow>(GAUGE_LEASE_WORKFLOW_TYPE, {
      workflowId: gaugeLeaseWorkflowId(taskQueue),
      taskQueue: recordsTaskQueue(taskQueue),
      args: [{ expiresAt: 0 }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'Which process serves the payout gauges',
    }),
  });
  return granted;
}

async function readSnapshot(temporal: Client, taskQueue: string, budget?: DayBudgetSettings): Promise<Snapshot> {
  const count = async (query: string) => (await temporal.workflow.count(query)).count;
  const [statusCounts, waiting, cases, reconciliation, pause, awaitingCents, sentTodayCents] = await Promise.all([
    Promise.all(PAYOUT_STATUSES.map((status) => count(payoutListQuery({ taskQueue, status })))),
    // Three equality counts: the dev server's SQLite visibility mis-counts an IN (...) over custom attributes.
    Promise.all(WAITS_FOR_PERSON.map((status) => count(payoutListQuery({ taskQueue, status, running: true })))),
    count(
      `WorkflowType="${DECISION_RECORD_WORKFLOW_TYPE}" AND ExecutionStatus="Running" ` +
        `AND TaskQueue="${recordsTaskQueue(taskQueue)}" ` +
        `AND ${DecisionStateKey.name}="NeedsPerson"`,
    ),
    lastReconciliation(temporal, taskQueue),
    readPause(temporal, taskQueue),
    sumAwaitingApproval(temporal, taskQueue),
    budget && sentToday(temporal, taskQueue, budget.timeZone),
  ]);
  return {
    byStatus: Object.fromEntries(PAYOUT_STATUSES.map((s, i) => [s, statusCounts[i]!])) as Record<PayoutStatus, number>,
    pending: waiting.reduce((sum, n) => sum + n, 0),
    cases,
    reconciliation,
    pause,
    awaitingCents,
    sentTodayCents,
  };
}

/**
 * Today's total as the day's budget counts it against the maximum (the send gate's own figure), asked of the
 * budget workflow; a day no payout has asked for yet has none, and nothing sent through the product.
 */
async function sentToday(temporal: Client, taskQueue: string, timeZone: string): Promise<number> {
  const day = businessDay(new Date(), timeZone);
  try {
    const budget = await temporal.workflow.getHandle(dailyBudgetWorkflowId(taskQueue, day)).query(budgetQuery);
    return (budget.baselineCents ?? 0) + budget.reservedCents;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 0;
    throw err;
  }
}

/** Visibility counts but does not sum: the waiting payouts are listed, and their PayoutAmount added up. */
async function sumAwaitingApproval(temporal: Client, taskQueue: string): Promise<number> {
  let cents = 0;
  const query = payoutListQuery({ taskQueue, status: 'AwaitingApproval', running: true });
  for await (const w of temporal.workflow.list({ query })) cents += w.typedSearchAttributes.get(PayoutAmountKey) ?? 0;
  return cents;
}

/** The switch as payouts see it: a missing, stopped or unreadable switch holds them as if paused. */
async function readPause(temporal: Client, taskQueue: string): Promise<Snapshot['pause']> {
  const status = await pauseStatus(temporal, taskQueue);
  if (!status.paused) return { paused: false, seconds: 0 };
  const since = status.since ? Date.parse(status.since) : NaN;
  return { paused: true, seconds: Number.isNaN(since) ? 0 : Math.max(0, (Date.now() - since) / 1_000) };
}

/** The result of the reconciliation run (scheduled or manual) of this task queue that completed last. */
async function lastReconciliation(temporal: Client, taskQueue: string): Promise<ReconciliationReport | undefined> {
  const query = `WorkflowType="${reconcilePayouts.name}" AND TaskQueue="${taskQueue}" AND ExecutionStatus="Completed"`;
  let latest: { workflowId: string; runId: string; closedAt: number } | undefined;
  let seen = 0;
  // Visibility lists closed runs newest first; a few suffice to find the last one even if the order is loose.
  for await (const w of temporal.workflow.list({ query, pageSize: 10 })) {
    const closedAt = w.closeTime?.getTime() ?? 0;
    if (!latest || closedAt > latest.closedAt) latest = { workflowId: w.workflowId, runId: w.runId, closedAt };
    if (++seen >= 10) break;
  }
  if (!latest) return undefined;
  return (await temporal.workflow.getHandle(latest.workflowId, latest.runId).result()) as ReconciliationReport;
}
