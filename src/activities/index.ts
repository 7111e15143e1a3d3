import type { Client } from '@temporalio/client';
import { readDecisionRecord } from '../decisions/records';
import { createPauseSwitchReader } from '../decisions/pauseSwitch';
import type { Destination } from '../domain/destination';
import type { StarkUser } from '../starkbank/user';
import type { Activities } from '../workflows/activityTypes';
import { createBudgetActivities, createBudgetClient } from './budget';
import { createDecisionActivities } from './decisions';
import { createIssuanceActivities } from './issuance';
import { createPayoutReadActivities } from './payoutReads';
import { createRecoveryActivities } from './recovery';
import { createTransferActivities, createTransferFinder } from './transfers';

export interface ActivityDeps {
  user: StarkUser;
  client: Client;
  /** The payouts' task queue: the pause switch, budgets, records and recovered payouts live on it. */
  taskQueue: string;
  destination: Destination;
  guardrails: { maxAmountCents: number; dailyMaxCents: number; secondApprovalCents?: number };
  workspaceId?: string;
  /** Stark Bank's business day is the calendar day in this time zone. */
  timeZone: string;
  /** How long after a lost answer a late commit can still appear. */
  lateCommitMs: number;
  /** The namespace's retention: nothing automatic starts a payout for a credit older than this. */
  retentionMs: () => Promise<number>;
  now?: () => Date;
}

/**
 * Every activity the worker registers, built from injected dependencies (no globals, easy to test): exactly the
 * contract the workflows call (workflows/activityTypes.ts).
 */
export function createActivities(deps: ActivityDeps): Activities {
  const { client, taskQueue, guardrails, user } = deps;
  const budget = createBudgetClient({ ...deps, dailyMaxCents: guardrails.dailyMaxCents });
  const finder = createTransferFinder(user);
  // The operator's rejection, from the invoice's decision record: one that cannot be read fails the read.
  const readRejection = async (invoiceId: string) => (await readDecisionRecord(client, invoiceId))?.rejected;
  const readApprovals = async (invoiceId: string) => (await readDecisionRecord(client, invoiceId))?.entries ?? [];
  const activities = {
    ...createPayoutReadActivities({
      ...deps,
      limits: { ...guardrails, workspaceId: deps.workspaceId },
      readRejection,
      findTransfer: finder.findTransfer,
      findTransfersOfInvoice: finder.findTransfersOfInvoice,
    }),
    ...createTransferActivities({
      ...deps,
      finder,
      readRejection,
      readPause: createPauseSwitchReader(client, taskQueue),
      readApprovals,
      budget,
      maxTransferCents: guardrails.maxAmountCents,
      secondApprovalCents: guardrails.secondApprovalCents,
    }),
    ...createIssuanceActivities(deps),
    ...createBudgetActivities({ ...deps, budget }),
    ...createDecisionActivities(deps),
    ...createRecoveryActivities(deps),
  };
  // One registered but missing from the contract is a compile error here, not an activity no workflow can call.
  const exact: Exclude<keyof typeof activities, keyof Activities> extends never ? Activities : never = activities;
  return exact;
}

export type { Activities };
