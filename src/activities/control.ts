import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { GuardrailLimits } from '../domain/guardrails';
import { pausedQuery, pauseSwitchWorkflowId } from '../workflows/pauseSwitchDefinitions';

export interface ControlActivityDeps {
  client: Client;
  taskQueue: string;
  guardrails: { maxAmountCents: number; dailyMaxCents: number };
  workspaceId?: string;
}

export function createControlActivities({ client, taskQueue, guardrails, workspaceId }: ControlActivityDeps) {
  return {
    /**
     * The operator's pause switch lives in the pauseSwitch workflow. No running switch = not paused; a closed
     * one is not queried (a query of a closed workflow needs a worker to replay it and can hang).
     */
    async arePayoutsPaused(): Promise<boolean> {
      const handle = client.workflow.getHandle(pauseSwitchWorkflowId(taskQueue));
      try {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') return false;
        return await handle.query(pausedQuery);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    /** Limits come from config; reading them through an activity records them in history (deterministic). */
    getGuardrailLimits(): Promise<GuardrailLimits> {
      return Promise.resolve({ ...guardrails, workspaceId });
    },
  };
}
