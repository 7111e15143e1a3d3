import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { lastPauseChangeQuery, pausedQuery, setPausedSignal, type PauseChange } from './pauseSwitchDefinitions';

/**
 * The operator's global "pause all payouts" switch, one long-lived workflow per deployment. Payouts ask it
 * (through an activity) before they create a transfer; paused payouts wait, so nothing is lost while paused.
 */
export async function pauseSwitch(last?: PauseChange): Promise<void> {
  let current = last;
  setHandler(pausedQuery, () => current?.paused ?? false);
  setHandler(lastPauseChangeQuery, () => current);
  setHandler(setPausedSignal, (change) => {
    current = change;
  });
  // Runs for ever; keeps its history short by starting afresh with only the current switch.
  await condition(() => workflowInfo().continueAsNewSuggested);
  await continueAsNew<typeof pauseSwitch>(current);
}
