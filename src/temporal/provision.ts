import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { z } from 'zod';
import {
  PAUSE_SWITCH_WORKFLOW_TYPE,
  pauseSwitchWorkflowId,
  SWITCH_MEMO_KEY,
  type PauseSwitchState,
  type PauseSwitchWorkflow,
} from '../workflows/pauseSwitchDefinitions';
import { daysToMs, formatDays, namespaceRetentionMs } from './namespace';

export interface ProvisionOutcome {
  retention: string;
  pauseSwitch: 'started' | 'running';
}

/**
 * What the product needs of the Temporal namespace before a worker starts: a retention at least as long as
 * `retentionDays` (raised, never lowered), and the pause switch running (payouts treat a missing one as paused).
 */
export async function provisionNamespace(
  client: Client,
  { taskQueue, retentionDays }: { taskQueue: string; retentionDays: number },
): Promise<ProvisionOutcome> {
  const namespace = client.options.namespace;
  const current = await namespaceRetentionMs(client);
  let retention = `kept ${formatDays(current)}`;
  if (current < daysToMs(retentionDays)) {
    await client.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(daysToMs(retentionDays)) },
    });
    retention = `raised from ${formatDays(current)} to ${formatDays(daysToMs(retentionDays))}`;
  }
  const workflowId = pauseSwitchWorkflowId(taskQueue);
  const last = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
  if (last?.status.name === 'RUNNING') return { retention, pauseSwitch: 'running' };
  // A switch that was closed starts again where it was, with its record of changes.
  const kept = pauseSwitchStateSchema.safeParse(last?.memo?.[SWITCH_MEMO_KEY]);
  const state: PauseSwitchState = kept.success ? kept.data : { paused: false, changes: [] };
  await client.workflow.start<PauseSwitchWorkflow>(PAUSE_SWITCH_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    args: [state],
    // Readable from the start, before the switch's first workflow task has run.
    memo: { [SWITCH_MEMO_KEY]: state },
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: 'Global pause switch for payouts',
  });
  return { retention, pauseSwitch: 'started' };
}

const pauseSwitchStateSchema = z.object({
  paused: z.boolean(),
  changes: z.array(
    z.object({ paused: z.boolean(), operator: z.string(), note: z.string().optional(), at: z.string() }),
  ),
});
