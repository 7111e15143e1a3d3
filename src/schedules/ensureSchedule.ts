import crypto from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsAction,
} from '@temporalio/client';

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

const FINGERPRINT_MEMO = 'definitionFingerprint';

export interface DesiredSchedule {
  scheduleId: string;
  spec: ScheduleOptions['spec'];
  action: ScheduleOptionsAction;
  policies?: ScheduleOptions['policies'];
  /** A run budget; on update it counts the runs already taken. */
  maxRuns?: number;
}

/**
 * Creates a Temporal Schedule, or reconciles an existing one to the desired definition. The action's memo carries
 * a fingerprint of the definition: an unchanged one leaves the schedule alone, a changed one updates it in place
 * (its run history and an operator's pause are kept).
 */
export async function ensureSchedule(client: Client, desired: DesiredSchedule): Promise<EnsureOutcome> {
  // A workflow function would vanish from JSON: the fingerprint names it.
  const { workflowType } = desired.action;
  const named = {
    ...desired,
    action: { ...desired.action, workflowType: typeof workflowType === 'string' ? workflowType : workflowType.name },
  };
  const fingerprint = crypto.createHash('sha256').update(JSON.stringify(named)).digest('hex').slice(0, 16);
  const action: ScheduleOptionsAction = {
    ...desired.action,
    memo: { ...desired.action.memo, [FINGERPRINT_MEMO]: fingerprint },
  };
  try {
    await client.schedule.create({
      scheduleId: desired.scheduleId,
      spec: desired.spec,
      action,
      policies: desired.policies,
      state: desired.maxRuns ? { remainingActions: desired.maxRuns } : {},
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(desired.scheduleId);
  const current = await handle.describe();
  if (current.action.memo?.[FINGERPRINT_MEMO] === fingerprint) return 'unchanged';
  await handle.update((prev) => ({
    ...prev,
    spec: desired.spec,
    action,
    policies: { ...prev.policies, ...desired.policies },
    state: {
      ...prev.state,
      remainingActions: desired.maxRuns ? Math.max(0, desired.maxRuns - prev.info.numActionsTaken) : undefined,
    },
  }));
  return 'updated';
}
