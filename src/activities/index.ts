import type { Client } from '@temporalio/client';
import type { Destination } from '../domain/destination';
import type { StarkUser } from '../starkbank/user';
import { createBudgetActivities } from './budget';
import { createControlActivities } from './control';
import { createDecisionActivities } from './decisions';
import { createInvoiceActivities } from './invoices';
import { createIssuanceActivities } from './issuance';
import { createPauseSwitchReader } from './pauseSwitch';
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
  const readPauseSwitch = createPauseSwitchReader(deps.client, deps.taskQueue);
  return {
    ...createInvoiceActivities(deps),
    ...createIssuanceActivities(deps),
    ...createTransferActivities({ ...deps, readPauseSwitch }),
    ...createBudgetActivities({ ...deps, dailyMaxCents: deps.guardrails.dailyMaxCents }),
    ...createControlActivities({ ...deps, readPauseSwitch }),
    ...createDecisionActivities(deps),
    ...createRecoveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
