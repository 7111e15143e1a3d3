import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * The daily budget's contract: one workflow per deployment and business day that grants each transfer its share
 * of the daily maximum, one request at a time, so concurrent payouts cannot together cross it. Clients import
 * this module, never the workflow.
 */

export const DAILY_BUDGET_WORKFLOW_TYPE = 'dailyBudget';

export function dailyBudgetWorkflowId(taskQueue: string, day: string): string {
  return `daily-budget-${taskQueue}-${day}`;
}

export interface DailyBudgetInput {
  /** Business day, `YYYY-MM-DD` in the configured time zone. */
  day: string;
  /** When the day is over and no payout can ask for it any more (ISO); the budget then completes. */
  closesAt: string;
  /** Continue as new once history reaches this many events (the server's own suggestion applies too). */
  historyLimit?: number;
  /** What an earlier run of the day handed over: totals, and only the grants whose transfer is not final yet. */
  carried?: CarriedBudget;
}

/** A budget's state in constant size, however many payouts the day has had. */
export interface CarriedBudget {
  /** What Stark Bank listed for the day when its budget started (other deployments, manual transfers). */
  baselineCents: number;
  /** Grants whose transfer succeeded: they count for the rest of the day and can no longer be given back. */
  settledCents: number;
  /** Grants whose transfer is in flight, or not made yet, by externalId. */
  open: Record<string, OpenGrant>;
}

export interface OpenGrant {
  amount: number;
  /** An operator approved this transfer going over the day's maximum. */
  approvedOverDailyMax: boolean;
}

export interface ReserveRequest {
  /** The transfer's externalId: asking twice for the same transfer is granted once. */
  externalId: string;
  amount: number;
  /** The daily maximum in force now (a raised one applies at once). */
  maxCents: number;
  /** An operator approved this transfer going over this day's maximum. */
  approvedOverDailyMax: boolean;
}

export interface ReserveAnswer {
  granted: boolean;
  /** What the day adds up to with this transfer (granted or not). */
  totalCents: number;
  maxCents: number;
  day: string;
}

/** How many open grants one look at Stark Bank settles: it bounds the size of that activity's input and output. */
export const SETTLE_CHUNK = 2_000;

/** Which of a day's open grants have a final transfer: successes count for good, failures leave the day. */
export interface FinalTransfers {
  succeeded: string[];
  failed: string[];
}

export type DailyBudgetWorkflow = (input: DailyBudgetInput) => Promise<void>;

/** Requests are answered in order, each seeing the grants before it; a worker sends its waiting ones together. */
export const reserveUpdate = defineUpdate<ReserveAnswer[], [ReserveRequest[]]>('reserve');
export const releaseUpdate = defineUpdate<void, [{ externalId: string }]>('release');

export const budgetQuery = defineQuery<{
  day: string;
  baselineCents?: number;
  reservedCents: number;
  openGrants: number;
}>('budget');
