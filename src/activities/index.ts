import type { Client } from '@temporalio/client';
import { readDecisionRecord } from '../decisions/records';
import { createPauseSwitchReader } from '../decisions/pauseSwitch';
import type { Destination } from '../domain/destination';
import type { StarkUser } from '../starkbank/user';
import { createBudgetActivities, createBudgetClient } from './budget';
import { createControlActivities } from './control';
import { createDecisionActivities } from './decisions';
import { createInvoiceActivities } from './invoices';
import { createIssuanceActivities } from './issuance';
import { createRecoveryActivities } from './recovery';
import { createTransferActivities } from './transfers';

export interface ActivityDeps {
  user: StarkUser;
  client: Client;
  /** The payouts' task queue: the pause switch, budgets, records and recovered payouts live on it. */
  taskQueue: string;
  destination: Destination;
  guardrails: { maxAmountCents: number; dailyMaxCents: number };
  workspaceId?: string;
  /** Stark Bank's business day is the calendar day in this time zone. */
  timeZone: string;
  /** How long after a lost answer a late commit can still appear. */
  lateCommitMs: number;
  /** The namespace's retention: nothing automatic starts a payout for a credit older than this. */
  retentionMs: () => Promise<number>;
  now?: () => Date;
}

/** Every activity the worker registers, built from injected dependencies (no globals, easy to test). */
export function createActivities(deps: ActivityDeps) {
  const { client, taskQueue, guardrails } = deps;
  const budget = createBudgetClient({ ...deps, dailyMaxCents: guardrails.dailyMaxCents });
  return {
    ...createInvoiceActivities(deps),
    ...createIssuanceActivities(deps),
    ...createTransferActivities({
      ...deps,
      // The send gate's reads of the operator's controls: an unreadable record fails the attempt, which retries.
      readRejection: async (invoiceId) => (await readDecisionRecord(client, invoiceId))?.rejected,
      readPause: createPauseSwitchReader(client, taskQueue),
      budget,
      maxTransferCents: guardrails.maxAmountCents,
    }),
    ...createBudgetActivities({ ...deps, budget }),
    ...createControlActivities(deps),
    ...createDecisionActivities(deps),
    ...createRecoveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
