import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { GuardrailLimits } from '../domain/guardrails';
import { PAYOUTS_CONTROL_WORKFLOW_ID, pausedQuery } from '../workflows/payoutsControl';

export interface ControlActivityDeps {
  client: Client;
  guardrails: { maxAmountCents: number; dailyMaxCents: number };
  workspaceId?: string;
}

export function createControlActivities({ client, guardrails, workspaceId }: ControlActivityDeps) {
  return {
    /** The operator's global pause switch lives in the payouts-control workflow; no such workflow = not paused. */
    async arePayoutsPaused(): Promise<boolean> {
      try {
        return await client.workflow.getHandle(PAYOUTS_CONTROL_WORKFLOW_ID).query(pausedQuery);
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
