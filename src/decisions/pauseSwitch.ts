import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { safeParse } from '../domain/schema';
import { errorMessage } from '../shared/errors';
import { recordsTaskQueue } from '../temporal/taskQueues';
import { payoutListQuery, resumeSignal } from '../workflows/payoutDefinitions';
import {
  PAUSE_SWITCH_WORKFLOW_TYPE,
  pauseSwitchStateSchema,
  pauseSwitchWorkflowId,
  recordScheduleActionUpdate,
  setPausedUpdate,
  SWITCH_MEMO_KEY,
  type PauseChange,
  type PauseSwitchState,
  type PauseSwitchWorkflow,
  type ScheduleAction,
} from '../workflows/pauseSwitchDefinitions';

/**
 * The client side of the operator's global pause switch (src/workflows/pauseSwitch.ts), one per deployment: read
 * from its memo (no worker needed), flipped by an Update, started by setup. Every reader and writer goes through here.
 */

export interface PauseRead {
  paused: boolean;
  /** Why nothing may be sent now, for the payout's status. */
  reason?: string;
}

const START_OPTIONS = {
  workflowIdConflictPolicy: 'USE_EXISTING',
  staticSummary: 'Global pause switch for payouts',
} as const;

/** The switch's state from its memo; undefined when it was never started. Throws when it cannot be read. */
export async function describePauseSwitch(
  client: Client,
  taskQueue: string,
): Promise<{ running: boolean; state?: PauseSwitchState } | undefined> {
  try {
    const { status, memo } = await client.workflow.getHandle(pauseSwitchWorkflowId(taskQueue)).describe();
    const parsed = safeParse(pauseSwitchStateSchema, memo?.[SWITCH_MEMO_KEY]);
    return { running: status.name === 'RUNNING', state: parsed.success ? parsed.data : undefined };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Whether payouts are paused, as an operator asks: the last change (who, since when, why), or why unknown. */
export interface PauseStatus {
  paused: boolean;
  /** The change that set the switch as it is, when one did. */
  by?: string;
  caller?: string;
  since?: string;
  note?: string;
  /** Why payouts wait although no operator paused them (no switch, stopped, unreadable). */
  problem?: string;
}

export async function pauseStatus(client: Client, taskQueue: string): Promise<PauseStatus> {
  const found = await describePauseSwitch(client, taskQueue);
  if (!found) return { paused: true, problem: 'there is no pause switch, so payouts wait: run setup' };
  if (!found.running) return { paused: true, problem: 'the pause switch is not running, so payouts wait: run setup' };
  if (!found.state) return { paused: true, problem: 'the pause switch cannot be read, so payouts wait' };
  const { paused, changes } = found.state;
  // The change that set the switch as it is: the first of the last run of changes to this value.
  let from = changes.length;
  while (from > 0 && changes[from - 1]!.paused === paused) from--;
  const setBy = changes[from];
  return {
    paused,
    ...(setBy && { by: setBy.operator, caller: setBy.caller, since: setBy.at, note: setBy.note }),
  };
}

/**
 * Reads the switch for a transfer about to be sent. Fails closed: a switch that is missing, closed or unreadable
 * counts as paused, so a deployment that lost its switch sends nothing until setup runs.
 */
export function createPauseSwitchReader(client: Client, taskQueue: string): () => Promise<PauseRead> {
  return async () => {
    try {
      const found = await describePauseSwitch(client, taskQueue);
      if (!found) return { paused: true, reason: 'there is no pause switch: run setup' };
      if (!found.running) return { paused: true, reason: 'the pause switch is not running: run setup' };
      if (!found.state) return { paused: true, reason: 'the pause switch cannot be read' };
      return found.state.paused ? { paused: true, reason: 'an operator paused all payouts' } : { paused: false };
    } catch (err) {
      return { paused: true, reason: `the pause switch cannot be read (${errorMessage(err)})` };
    }
  };
}

/**
 * Flips the switch. Pausing stops new transfers from being created (payouts wait in `Paused`, nothing is dropped);
 * resuming also wakes every paused payout at once instead of at its next check. Returns how many were woken.
 */
export async function setPayoutsPaused(client: Client, taskQueue: string, change: PauseChange): Promise<number> {
  // The Update completes with the workflow task that upserts the memo: once it returns, every gate sees the change.
  await callerUpdate(client, taskQueue, setPausedUpdate, change);
  if (change.paused) return 0;
  let woken = 0;
  const query = payoutListQuery({ taskQueue, running: true, status: 'Paused' });
  for await (const execution of client.workflow.list({ query })) {
    await client.workflow.getHandle(execution.workflowId).signal(resumeSignal);
    woken++;
  }
  return woken;
}

/**
 * Records an operator's action on the invoice schedule in the audit trail, beside the switch's own changes: a
 * Schedule keeps only its latest note, and nothing of who triggered it.
 */
export async function recordScheduleAction(client: Client, taskQueue: string, action: ScheduleAction): Promise<void> {
  await callerUpdate(client, taskQueue, recordScheduleActionUpdate, action);
}

/** Starts the switch unless it runs; a switch that was closed starts again where it was, with its changes. */
export async function ensurePauseSwitch(client: Client, taskQueue: string): Promise<'started' | 'running'> {
  const last = await describePauseSwitch(client, taskQueue);
  if (last?.running) return 'running';
  const state: PauseSwitchState = last?.state ?? { paused: false, changes: [] };
  await client.workflow.start<PauseSwitchWorkflow>(PAUSE_SWITCH_WORKFLOW_TYPE, {
    workflowId: pauseSwitchWorkflowId(taskQueue),
    taskQueue: recordsTaskQueue(taskQueue),
    args: [state],
    // Readable from the start, before the switch's first workflow task has run.
    memo: { [SWITCH_MEMO_KEY]: state },
    ...START_OPTIONS,
  });
  return 'started';
}

/** Sends an Update to the switch (started if it is not running yet), with the client's identity as the caller. */
async function callerUpdate<A extends object>(
  client: Client,
  taskQueue: string,
  update: UpdateDefinition<unknown, [A & { caller?: string }]>,
  arg: A,
): Promise<void> {
  const caller = client.options.identity?.trim();
  await client.workflow.executeUpdateWithStart(update, {
    args: [{ ...arg, ...(caller && { caller }) }],
    startWorkflowOperation: new WithStartWorkflowOperation<PauseSwitchWorkflow>(PAUSE_SWITCH_WORKFLOW_TYPE, {
      workflowId: pauseSwitchWorkflowId(taskQueue),
      taskQueue: recordsTaskQueue(taskQueue),
      args: [],
      ...START_OPTIONS,
    }),
  });
}
