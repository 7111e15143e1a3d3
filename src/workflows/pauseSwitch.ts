import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { parse } from '../domain/schema';
import {
  pauseChangeSchema,
  recordScheduleActionUpdate,
  scheduleActionSchema,
  setPausedUpdate,
  SWITCH_MEMO_KEY,
  type PauseSwitchState,
} from './pauseSwitchDefinitions';

/**
 * The operator's global "pause all payouts" switch, one long-lived workflow per deployment. Payouts ask it right
 * before they send; a payout that cannot read it waits as if paused. It never completes, so its record of who
 * paused and resumed, and why, outlives Temporal's retention; it keeps the invoice schedule's operator actions
 * for the same reason.
 */
export async function pauseSwitch(initial?: PauseSwitchState): Promise<void> {
  const state: PauseSwitchState = {
    paused: initial?.paused ?? false,
    changes: [...(initial?.changes ?? [])],
    // Absent until the first schedule action, so switches that never had one write the memo they always wrote.
    ...(initial?.scheduleActions && { scheduleActions: [...initial.scheduleActions] }),
  };
  setHandler(
    setPausedUpdate,
    (raw: unknown) => {
      const change = parse(pauseChangeSchema, raw, 'setPaused');
      state.paused = change.paused;
      state.changes.push({ ...change, at: new Date().toISOString() });
      upsertMemo({ [SWITCH_MEMO_KEY]: state });
      return state;
    },
    // A change without a non-blank operator is refused: the audit trail names who paused and resumed.
    { validator: (raw: unknown) => void parse(pauseChangeSchema, raw, 'setPaused') },
  );
  setHandler(
    recordScheduleActionUpdate,
    (raw: unknown) => {
      const action = parse(scheduleActionSchema, raw, 'recordScheduleAction');
      (state.scheduleActions ??= []).push({ ...action, at: new Date().toISOString() });
      upsertMemo({ [SWITCH_MEMO_KEY]: state });
      return state;
    },
    { validator: (raw: unknown) => void parse(scheduleActionSchema, raw, 'recordScheduleAction') },
  );
  upsertMemo({ [SWITCH_MEMO_KEY]: state });
  await condition(() => workflowInfo().continueAsNewSuggested && allHandlersFinished());
  await continueAsNew<typeof pauseSwitch>(state);
}
