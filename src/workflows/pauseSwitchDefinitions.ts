import { defineUpdate } from '@temporalio/workflow';

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

/** A change as the switch records it: when it took effect, for the audit trail. */
export interface RecordedPauseChange extends PauseChange {
  at: string;
}

export interface PauseSwitchState {
  paused: boolean;
  /** Every change, oldest first: operator actions outlive Temporal's retention here. */
  changes: RecordedPauseChange[];
}

export type PauseSwitchWorkflow = (state?: PauseSwitchState) => Promise<void>;

/** An Update, not a signal: it returns once the switch's memo, which payouts read, holds the change. */
export const setPausedUpdate = defineUpdate<PauseSwitchState, [PauseChange]>('setPaused');

/** The memo key under which the switch keeps its state readable without a worker (its only read path). */
export const SWITCH_MEMO_KEY = 'switch';
