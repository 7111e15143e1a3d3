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
  /** Carried over continue-as-new. */
  reservations?: Record<string, Reservation>;
  baselineCents?: number;
}

export interface Reservation {
  invoiceId: string;
  amount: number;
  /** An operator approved this transfer going over the day's maximum. */
  approvedOverDailyMax: boolean;
  /** The transfer failed or was canceled: its amount no longer counts. */
  released: boolean;
}

export interface ReserveRequest {
  /** The transfer's externalId: asking twice for the same transfer is granted once. */
  externalId: string;
  invoiceId: string;
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

export type DailyBudgetWorkflow = (input: DailyBudgetInput) => Promise<void>;

/** Requests are answered in order, each seeing the grants before it; a worker sends its waiting ones together. */
export const reserveUpdate = defineUpdate<ReserveAnswer[], [ReserveRequest[]]>('reserve');
export const releaseUpdate = defineUpdate<void, [{ externalId: string }]>('release');
export const budgetQuery = defineQuery<{ day: string; baselineCents?: number; reservedCents: number }>('budget');
