import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { parseArgument } from '../domain/arguments';
import { pauseChangeSchema, setPausedUpdate, SWITCH_MEMO_KEY, type PauseSwitchState } from './pauseSwitchDefinitions';

/**
 * The operator's global "pause all payouts" switch, one long-lived workflow per deployment. Payouts ask it right
 * before they send; a payout that cannot read it waits as if paused. It never completes, so its record of who
 * paused and resumed, and why, outlives Temporal's retention.
 */
export async function pauseSwitch(initial?: PauseSwitchState): Promise<void> {
  const state: PauseSwitchState = { paused: initial?.paused ?? false, changes: [...(initial?.changes ?? [])] };
  setHandler(
    setPausedUpdate,
    (raw: unknown) => {
      const change = parseArgument(pauseChangeSchema, raw, 'setPaused');
      state.paused = change.paused;
      state.changes.push({ ...change, at: new Date().toISOString() });
      upsertMemo({ [SWITCH_MEMO_KEY]: state });
      return state;
    },
    // A change without a non-blank operator is refused: the audit trail names who paused and resumed.
    { validator: (raw: unknown) => void parseArgument(pauseChangeSchema, raw, 'setPaused') },
  );
  upsertMemo({ [SWITCH_MEMO_KEY]: state });
  await condition(() => workflowInfo().continueAsNewSuggested && allHandlersFinished());
  await continueAsNew<typeof pauseSwitch>(state);
}
