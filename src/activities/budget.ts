import starkbank from 'starkbank';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { businessDay, businessDayBounds } from '../domain/businessDay';
import { PAYOUT_TAG } from '../domain/payoutIds';
import type { GrantAnswer, GrantRequest } from '../domain/sendGate';
import { collect } from '../starkbank/list';
import { recordsTaskQueue } from '../temporal/taskQueues';
import { transferSchema } from '../starkbank/schemas';
import type { StarkUser } from '../starkbank/user';
import {
  DAILY_BUDGET_WORKFLOW_TYPE,
  dailyBudgetWorkflowId,
  releaseUpdate,
  reserveUpdate,
  type DailyBudgetWorkflow,
  type FinalTransfers,
  type ReserveAnswer,
  type ReserveRequest,
} from '../workflows/dailyBudgetDefinitions';
import { createBatcher } from './batcher';
import { starkCall } from './starkCall';

export interface BudgetDeps {
  client: Client;
  taskQueue: string;
  dailyMaxCents: number;
  /** Stark Bank's business day is the calendar day in this time zone. */
  timeZone: string;
  now?: () => Date;
}

// A batch of reservations is one Update, answered in milliseconds; past this, its activities retry instead.
const RESERVE_TIMEOUT_MS = 30_000;

// A day's budget stays open this long after the day ends, for releases of transfers that failed late.
const CLOSE_AFTER_DAY_MS = 2 * 86_400_000;

/**
 * The client of the days' budgets (one workflow per business day, src/workflows/dailyBudget.ts): the send gate
 * reserves through it right before a create, and payouts give back what a failed or abandoned transfer held.
 */
export function createBudgetClient({ client, taskQueue, dailyMaxCents, timeZone, now = () => new Date() }: BudgetDeps) {
  const budgetOf = (day: string) => ({
    workflowId: dailyBudgetWorkflowId(taskQueue, day),
    closesAt: new Date(businessDayBounds(day, timeZone).end.getTime() + CLOSE_AFTER_DAY_MS).toISOString(),
  });

  // One Update at a time per day and worker, carrying every request that waited for it: Temporal limits how many
  // Updates a workflow may have in flight, and a burst of payouts would otherwise hit that limit.
  const batchers = new Map<string, (request: ReserveRequest) => Promise<ReserveAnswer>>();
  const reserveOn = (day: string) => {
    let batcher = batchers.get(day);
    if (!batcher) {
      const { workflowId, closesAt } = budgetOf(day);
      batcher = createBatcher(
        (requests: ReserveRequest[]) =>
          // The deadline also ends the gRPC calls of an Update that Temporal lost (a server restart mid-call).
          client.connection.withDeadline(Date.now() + RESERVE_TIMEOUT_MS, () =>
            client.workflow.executeUpdateWithStart(reserveUpdate, {
              args: [requests],
              startWorkflowOperation: new WithStartWorkflowOperation<DailyBudgetWorkflow>(DAILY_BUDGET_WORKFLOW_TYPE, {
                workflowId,
                taskQueue: recordsTaskQueue(taskQueue),
                args: [{ day, closesAt }],
                workflowIdConflictPolicy: 'USE_EXISTING',
                staticSummary: `Payout budget of ${day}`,
              }),
            }),
          ),
        { timeoutMs: RESERVE_TIMEOUT_MS },
      );
      // A new day: the earlier days' batchers are done (one stays for a reservation crossing midnight).
      for (const old of [...batchers.keys()].filter((d) => d < day)) batchers.delete(old);
      batchers.set(day, batcher);
    }
    return batcher;
  };

  return {
    today: (): string => businessDay(now(), timeZone),

    /**
     * Asks a day's budget for a transfer's amount: granted when the day stays within the daily maximum, or when an
     * operator approved this transfer going over it. Asking again for the same externalId is granted again.
     */
    reserve: async (day: string, request: GrantRequest): Promise<GrantAnswer> => {
      const answer = await reserveOn(day)({ ...request, maxCents: dailyMaxCents });
      return { granted: answer.granted, totalCents: answer.totalCents, maxCents: answer.maxCents };
    },

    /** Gives a transfer's grant back to the day it was granted on; nothing happens when there is none. */
    release: async (day: string, externalId: string): Promise<void> => {
      try {
        await client.workflow
          .getHandle(budgetOf(day).workflowId)
          .executeUpdate(releaseUpdate, { args: [{ externalId }] });
      } catch (err) {
        // A budget closes days after its day and grants nothing more: there is nothing left to give back to.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}

export type BudgetClient = ReturnType<typeof createBudgetClient>;

const FAILED = ['failed', 'canceled'];
const TAGS_PER_QUERY = 50;

export function createBudgetActivities({
  user,
  budget,
  timeZone,
}: {
  user: StarkUser;
  budget: BudgetClient;
  timeZone: string;
}) {
  /** The product's transfers created on a business day, as Stark Bank lists them. */
  async function payoutTransfersOfDay(day: string) {
    const { start, end } = businessDayBounds(day, timeZone);
    const transfers = await starkCall(`query payout transfers of ${day}`, () =>
      collect(
        starkbank.transfer.query({
          tags: [PAYOUT_TAG],
          after: start.toISOString().slice(0, 10),
          before: end.toISOString().slice(0, 10),
          user,
        }),
        transferSchema,
      ),
    );
    return transfers.filter((t) => {
      const created = createdAt(t.created);
      return created === undefined || (created >= start && created < end);
    });
  }

  return {
    /**
     * Gives back what a transfer held of its day's budget, when the transfer failed or the payout abandoned it
     * (today's, when the day is not known: a grant from an earlier day no longer holds anyone back).
     */
    releaseDailyBudget({ externalId, day }: { externalId: string; day?: string }): Promise<void> {
      return budget.release(day ?? budget.today(), externalId);
    },

    /** What the product's transfers of a business day add up to at Stark Bank (failed and canceled ones aside). */
    async sumPayoutTransfersOfDay(day: string): Promise<number> {
      const transfers = await payoutTransfersOfDay(day);
      return transfers.filter((t) => !FAILED.includes(t.status)).reduce((sum, t) => sum + t.amount, 0);
    },

    /** Which of these grants' transfers are final at Stark Bank, for the day's budget to fold them. */
    async finalTransfersOfDay({ externalIds }: { day: string; externalIds: string[] }): Promise<FinalTransfers> {
      const status = new Map<string, string>();
      // Every payout transfer is tagged with its externalId; a query takes a handful of tags (any of them).
      for (let i = 0; i < externalIds.length; i += TAGS_PER_QUERY) {
        const tags = externalIds.slice(i, i + TAGS_PER_QUERY);
        const found = await starkCall(`query ${tags.length} payout transfers`, () =>
          collect(starkbank.transfer.query({ tags, user }), transferSchema),
        );
        for (const t of found) if (t.externalId) status.set(t.externalId, t.status);
      }
      return {
        succeeded: externalIds.filter((id) => status.get(id) === 'success'),
        failed: externalIds.filter((id) => FAILED.includes(status.get(id) ?? '')),
      };
    },
  };
}

function createdAt(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}
