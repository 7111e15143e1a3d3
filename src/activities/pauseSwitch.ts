import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { errorMessage } from '../shared/errors';
import { pauseSwitchWorkflowId, SWITCH_MEMO_KEY } from '../workflows/pauseSwitchDefinitions';

export interface PauseRead {
  paused: boolean;
  /** Why nothing may be sent now, for the payout's status. */
  reason?: string;
}

const switchMemo = z.object({ paused: z.boolean() });

/**
 * Reads the operator's pause switch from its memo (no worker needed). Fails closed: a switch that is missing,
 * closed or unreadable counts as paused, so a deployment that lost its switch sends nothing until setup runs.
 */
export function createPauseSwitchReader(client: Client, taskQueue: string): () => Promise<PauseRead> {
  const handle = client.workflow.getHandle(pauseSwitchWorkflowId(taskQueue));
  return async () => {
    try {
      const { status, memo } = await handle.describe();
      if (status.name !== 'RUNNING') return { paused: true, reason: `the pause switch is ${status.name}: run setup` };
      const parsed = switchMemo.safeParse(memo?.[SWITCH_MEMO_KEY]);
      if (!parsed.success) return { paused: true, reason: 'the pause switch cannot be read' };
      return parsed.data.paused ? { paused: true, reason: 'an operator paused all payouts' } : { paused: false };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { paused: true, reason: 'there is no pause switch: run setup' };
      return { paused: true, reason: `the pause switch cannot be read (${errorMessage(err)})` };
    }
  };
}
