import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { reconcilePayouts, sweepEvents } from '../workflows/recovery';
import { ensureSchedule, type EnsureOutcome } from './ensureSchedule';

export const SWEEP_SCHEDULE_ID = 'sweep-undelivered-events';
export const RECONCILE_SCHEDULE_ID = 'reconcile-payouts';

/** The safety nets for lost webhooks: the event sweep (15 min) and the reconciliation (hourly). */
export async function ensureRecoverySchedules(
  client: Client,
  cfg: Config['recovery'],
  taskQueue: string,
): Promise<Record<string, EnsureOutcome>> {
  const policies = { overlap: 'SKIP' as const, catchupWindow: '10m' as const };
  return {
    [SWEEP_SCHEDULE_ID]: await ensureSchedule(client, {
      scheduleId: SWEEP_SCHEDULE_ID,
      spec: { intervals: [{ every: cfg.sweepInterval }] },
      action: { type: 'startWorkflow', workflowType: sweepEvents, taskQueue, args: [], workflowId: 'sweep-events' },
      policies,
    }),
    [RECONCILE_SCHEDULE_ID]: await ensureSchedule(client, {
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec: { intervals: [{ every: cfg.reconcileInterval }] },
      action: {
        type: 'startWorkflow',
        workflowType: reconcilePayouts,
        taskQueue,
        args: [{ lookbackDays: cfg.lookbackDays }],
        workflowId: 'reconcile-payouts',
      },
      policies,
    }),
  };
}
