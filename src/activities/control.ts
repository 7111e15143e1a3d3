import type { GuardrailLimits } from '../domain/guardrails';
import type { PauseRead } from './pauseSwitch';

export interface ControlActivityDeps {
  guardrails: { maxAmountCents: number; dailyMaxCents: number };
  workspaceId?: string;
  readPauseSwitch: () => Promise<PauseRead>;
}

export function createControlActivities({ guardrails, workspaceId, readPauseSwitch }: ControlActivityDeps) {
  return {
    /** The operator's pause switch; one that cannot be read counts as on. */
    readPauseSwitch(): Promise<PauseRead> {
      return readPauseSwitch();
    },

    /** Limits come from config; reading them through an activity records them in history (deterministic). */
    getGuardrailLimits(): Promise<GuardrailLimits> {
      return Promise.resolve({ ...guardrails, workspaceId });
    },
  };
}
