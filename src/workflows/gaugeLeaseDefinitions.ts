import { defineUpdate } from '@temporalio/workflow';

/** The payout gauges' lease: which one process of a deployment serves them. Clients import this module. */

export const GAUGE_LEASE_WORKFLOW_TYPE = 'gaugeLease';

/** One lease per deployment (task queue). */
export function gaugeLeaseWorkflowId(taskQueue: string): string {
  return `payout-gauges-lease-${taskQueue}`;
}

export interface GaugeLeaseState {
  holder?: string;
  /** Workflow time (ms) after which another process may take the lease. */
  expiresAt: number;
}

export type GaugeLeaseWorkflow = (state?: GaugeLeaseState) => Promise<void>;

/** Takes or renews the lease for `ttlMs` when it is free, expired or already the caller's; says who holds it. */
export const acquireGaugeLease = defineUpdate<
  { granted: boolean; holder: string },
  [{ holder: string; ttlMs: number }]
>('acquire');
