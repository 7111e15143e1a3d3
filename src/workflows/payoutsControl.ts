import { condition, continueAsNew, defineQuery, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';

/**
 * A singleton that holds the operator's global "pause all payouts" switch. Payouts ask it (through an
 * activity) before they create a transfer; paused payouts wait, so nothing is lost while paused.
 */
/** One switch per task queue, i.e. per deployment of the payouts (a test's own queue gets its own switch). */
export function payoutsControlWorkflowId(taskQueue: string): string {
  return `payouts-control-${taskQueue}`;
}

export interface PauseChange {
  paused: boolean;
  operator: string;
  note?: string;
}

export const setPausedSignal = defineSignal<[PauseChange]>('setPaused');
export const pausedQuery = defineQuery<boolean>('paused');
export const lastPauseChangeQuery = defineQuery<PauseChange | undefined>('lastPauseChange');

export async function payoutsControl(last?: PauseChange): Promise<void> {
  let current = last;
  setHandler(pausedQuery, () => current?.paused ?? false);
  setHandler(lastPauseChangeQuery, () => current);
  setHandler(setPausedSignal, (change) => {
    current = change;
  });
  // Runs for ever; keeps its history short by starting afresh with only the current switch.
  await condition(() => workflowInfo().continueAsNewSuggested);
  await continueAsNew<typeof payoutsControl>(current);
}
