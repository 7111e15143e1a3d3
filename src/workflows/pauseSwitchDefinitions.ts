import { defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { operatorName, operatorNote } from '../domain/arguments';

/** The pause switch's contract; clients import this module, never the workflow. */

export const PAUSE_SWITCH_WORKFLOW_TYPE = 'pauseSwitch';

/** One switch per task queue, i.e. per deployment of the payouts (a test's own queue gets its own switch). */
export function pauseSwitchWorkflowId(taskQueue: string): string {
  return `pause-switch-${taskQueue}`;
}

/** What an operator sends to flip the switch (the CLI, or the Web UI's `setPaused` Update). */
export const pauseChangeSchema = z.strictObject({
  paused: z.boolean({ error: (i) => (i.input === undefined ? 'is missing (true or false)' : 'must be true or false') }),
  operator: operatorName,
  note: operatorNote,
  /** Who sent the request, as Temporal knows it (the client's identity), beside the name given; when known. */
  caller: z.string().optional(),
});
export type PauseChange = z.input<typeof pauseChangeSchema>;

/** A change as the switch records it: when it took effect, for the audit trail. */
export const recordedPauseChangeSchema = pauseChangeSchema.extend({ at: z.string() });
export type RecordedPauseChange = z.infer<typeof recordedPauseChangeSchema>;

/**
 * An operator's action on the invoice schedule (a Temporal Schedule, which keeps only its latest note), recorded
 * here so the audit trail lists it beyond retention beside the other deployment-wide switch.
 */
export const scheduleActionSchema = z.strictObject({
  action: z.enum(['pause', 'resume', 'trigger'], { error: 'must be pause, resume or trigger' }),
  scheduleId: z.string().trim().min(1, 'must not be blank'),
  operator: operatorName,
  note: operatorNote,
  caller: z.string().optional(),
  /** A trigger: whether the schedule was paused then (the run starts anyway). */
  schedulePaused: z.boolean().optional(),
});
export type ScheduleAction = z.input<typeof scheduleActionSchema>;
export const recordedScheduleActionSchema = scheduleActionSchema.extend({ at: z.string() });
export type RecordedScheduleAction = z.infer<typeof recordedScheduleActionSchema>;

export const pauseSwitchStateSchema = z.object({
  paused: z.boolean(),
  /** Every change, oldest first: operator actions outlive Temporal's retention here. */
  changes: z.array(recordedPauseChangeSchema),
  /** Every schedule action, oldest first; absent until the first. */
  scheduleActions: z.array(recordedScheduleActionSchema).optional(),
});
export type PauseSwitchState = z.infer<typeof pauseSwitchStateSchema>;

export type PauseSwitchWorkflow = (state?: PauseSwitchState) => Promise<void>;

/** An Update, not a signal: it returns once the switch's memo, which payouts read, holds the change. */
export const setPausedUpdate = defineUpdate<PauseSwitchState, [PauseChange]>('setPaused');

/** Records a schedule action; returns once the switch's memo, which the audit reads, holds it. */
export const recordScheduleActionUpdate = defineUpdate<PauseSwitchState, [ScheduleAction]>('recordScheduleAction');

/** The memo key under which the switch keeps its state readable without a worker (its only read path). */
export const SWITCH_MEMO_KEY = 'switch';
