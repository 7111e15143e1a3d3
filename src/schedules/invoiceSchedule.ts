import crypto from 'node:crypto';
import { ScheduleAlreadyRunning, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { IssuanceConfig } from '../config';
import type { IssuanceInput } from '../domain/issuance';
import type { issueInvoices } from '../workflows/issueInvoices';

/**
 * The Temporal Schedule that runs the issuance workflow (every 3 h by default). Created or reconciled
 * idempotently: the desired definition carries a fingerprint of the settings, so an unchanged config leaves the
 * schedule alone and a changed one updates it in place (its run history and pause state are kept).
 */
export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

const FINGERPRINT_MEMO = 'settingsFingerprint';

export function issuanceInput(cfg: IssuanceConfig): IssuanceInput {
  return { count: cfg.count, amountCents: cfg.amountCents, dueInDays: cfg.dueInDays };
}

function fingerprint(cfg: IssuanceConfig, taskQueue: string): string {
  const relevant = { ...cfg, taskQueue };
  return crypto.createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

function action(cfg: IssuanceConfig, taskQueue: string): ScheduleOptionsStartWorkflowAction<typeof issueInvoices> {
  return {
    type: 'startWorkflow',
    workflowType: 'issueInvoices',
    taskQueue,
    args: [issuanceInput(cfg)],
    workflowId: `${cfg.scheduleId}-run`,
    memo: { [FINGERPRINT_MEMO]: fingerprint(cfg, taskQueue) },
    staticSummary: `Issue ${cfg.count.min}-${cfg.count.max} invoices to random people`,
  };
}

function spec(cfg: IssuanceConfig) {
  return { intervals: [{ every: cfg.interval }], ...(cfg.endAt ? { endAt: new Date(cfg.endAt) } : {}) };
}

export async function ensureInvoiceSchedule(
  client: Client,
  cfg: IssuanceConfig,
  taskQueue: string,
): Promise<EnsureOutcome> {
  const policies = { overlap: cfg.overlap, catchupWindow: cfg.catchupWindow };
  try {
    await client.schedule.create({
      scheduleId: cfg.scheduleId,
      spec: spec(cfg),
      action: action(cfg, taskQueue),
      policies,
      state: cfg.maxRuns ? { remainingActions: cfg.maxRuns } : {},
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(cfg.scheduleId);
  const current = await handle.describe();
  if (current.action.memo?.[FINGERPRINT_MEMO] === fingerprint(cfg, taskQueue)) return 'unchanged';
  await handle.update((prev) => ({
    ...prev,
    spec: spec(cfg),
    action: action(cfg, taskQueue),
    policies: { ...prev.policies, ...policies },
    state: {
      ...prev.state,
      // A new run budget counts what already ran against it.
      remainingActions: cfg.maxRuns ? Math.max(0, cfg.maxRuns - prev.info.numActionsTaken) : undefined,
    },
  }));
  return 'updated';
}
