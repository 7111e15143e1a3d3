import type { GuardrailLimits } from '../domain/guardrails';

export interface ControlActivityDeps {
  guardrails: { maxAmountCents: number; dailyMaxCents: number };
  workspaceId?: string;
}

export function createControlActivities({ guardrails, workspaceId }: ControlActivityDeps) {
  return {
    /** Limits come from config; reading them through an activity records them in history (deterministic). */
    getGuardrailLimits(): Promise<GuardrailLimits> {
      return Promise.resolve({ ...guardrails, workspaceId });
    },
  };
}
