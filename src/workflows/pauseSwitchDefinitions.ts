import { defineUpdate } from '@temporalio/workflow';
import { operatorName, operatorNote } from '../domain/arguments';
import { boolean, list, object, oneOf, optional, strictObject, text, type Parsed } from '../domain/schema';

/** The pause switch's contract; clients import this module, never the workflow. */

export const PAUSE_SWITCH_WORKFLOW_TYPE = 'pauseSwitch';

/** One switch per task queue, i.e. per deployment of the payouts (a test's own queue gets its own switch). */
export function pauseSwitchWorkflowId(taskQueue: string): string {
  return `pause-switch-${taskQueue}`;
}

/** What an operator sends to flip the switch (the CLI, or the Web UI's `setPaused` Update). */
export const pauseChangeSchema = strictObject({
  paused: boolean({ missing: 'is missing (true or false)' }),
  operator: operatorName,
  note: operatorNote,
  /** Who sent the request, as Temporal knows it (the client's identity), beside the name given; when known. */
  caller: optional(text()),
});
export type PauseChange = Parsed<typeof pauseChangeSchema>;

/** A change as the switch records it: when it took effect, for the audit trail. */
export const recordedPauseChangeSchema = strictObject({ ...pauseChangeSchema.fields, at: text() });
export type RecordedPauseChange = Parsed<typeof recordedPauseChangeSchema>;

/**
 * An operator's action on the invoice schedule (a Temporal Schedule, which keeps only its latest note), recorded
 * here so the audit trail lists it beyond retention beside the other deployment-wide switch.
 */
export const scheduleActionSchema = strictObject({
  action: oneOf(['pause', 'resume', 'trigger'], 'must be pause, resume or trigger'),
  scheduleId: text({ trim: true, min: 1 }),
  operator: operatorName,
  note: operatorNote,
  caller: optional(text()),
  /** A trigger: whether the schedule was paused then (the run starts anyway). */
  schedulePaused: optional(boolean()),
});
export type ScheduleAction = Parsed<typeof scheduleActionSchema>;
export const recordedScheduleActionSchema = strictObject({ ...scheduleActionSchema.fields, at: text() });
export type RecordedScheduleAction = Parsed<typeof recordedScheduleActionSchema>;

export const pauseSwitchStateSchema = object({
  paused: boolean(),
  /** Every change, oldest first: operator actions outlive Temporal's retention here. */
  changes: list(recordedPauseChangeSchema),
  /** Every schedule action, oldest first; absent until the first. */
  scheduleActions: optional(list(recordedScheduleActionSchema)),
});
export type PauseSwitchState = Parsed<typeof pauseSwitchStateSchema>;

export type PauseSwitchWorkflow = (state?: PauseSwitchState) => Promise<void>;

/** An Update, not a signal: it returns once the switch's memo, which payouts read, holds the change. */
export const setPausedUpdate = defineUpdate<PauseSwitchState, [PauseChange]>('setPaused');

/** Records a schedule action; returns once the switch's memo, which the audit reads, holds it. */
export const recordScheduleActionUpdate = defineUpdate<PauseSwitchState, [ScheduleAction]>('recordScheduleAction');

/** The memo key under which the switch keeps its state readable without a worker (its only read path). */
export const SWITCH_MEMO_KEY = 'switch';
