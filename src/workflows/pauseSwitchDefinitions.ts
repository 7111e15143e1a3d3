import { defineQuery, defineSignal } from '@temporalio/workflow';

/** The pause switch's contract; clients import this module, never the workflow. */

export const PAUSE_SWITCH_WORKFLOW_TYPE = 'pauseSwitch';

/** One switch per task queue, i.e. per deployment of the payouts (a test's own queue gets its own switch). */
export function pauseSwitchWorkflowId(taskQueue: string): string {
  return `pause-switch-${taskQueue}`;
}

export interface PauseChange {
  paused: boolean;
  operator: string;
  note?: string;
}

export type PauseSwitchWorkflow = (last?: PauseChange) => Promise<void>;

export const setPausedSignal = defineSignal<[PauseChange]>('setPaused');
export const pausedQuery = defineQuery<boolean>('paused');
export const lastPauseChangeQuery = defineQuery<PauseChange | undefined>('lastPauseChange');
