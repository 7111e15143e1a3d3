import type { Client } from '@temporalio/client';
import type { Destination } from '../domain/destination';
import type { StarkUser } from '../starkbank/user';
import { createControlActivities } from './control';
import { createInvoiceActivities } from './invoices';
import { createIssuanceActivities } from './issuance';
import { createRecoveryActivities } from './recovery';
import { createTransferActivities } from './transfers';

export interface ActivityDeps {
  user: StarkUser;
  client: Client;
  /** The payouts' task queue, for payouts started by the sweep and reconciliation. */
  taskQueue: string;
  destination: Destination;
  guardrails: { maxAmountCents: number; dailyMaxCents: number };
  workspaceId?: string;
  now?: () => Date;
}

/** Every activity the worker registers, built from injected dependencies (no globals, easy to test). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createInvoiceActivities(deps),
    ...createIssuanceActivities(deps),
    ...createTransferActivities(deps),
    ...createControlActivities(deps),
    ...createRecoveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
