import {
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
} from '@temporalio/workflow';

/** Sent with the start, as the webhook's signalWithStart sends the credited event; the floor only receives it. */
export const goSignal = defineSignal<[string]>('go');

// The activities' types are spelled here so that this module needs nothing but the workflow SDK.
const { touch } = proxyLocalActivities<{ touch(): Promise<string> }>({ startToCloseTimeout: '30 seconds' });
const { send } = proxyActivities<{ send(): Promise<string> }>({ startToCloseTimeout: '1 minute' });

/** The least a workflow does with its engine: start, run one local activity, complete. */
export async function floor(): Promise<string> {
  setHandler(goSignal, () => undefined);
  return touch();
}

/**
 * A happy payout's Temporal steps with no-op work, in the same order: a local-activity read and a state upsert, an
 * activity (the send), a timer (the follow step's poll), a second read and upsert. What a payout costs above this
 * is its own: Stark Bank calls, the send gate's reads and its budget Update, its code.
 */
export async function payoutShaped(): Promise<string> {
  setHandler(goSignal, () => undefined);
  await touch();
  upsertMemo({ status: 'Sending' });
  await send();
  await sleep('100 milliseconds');
  await touch();
  upsertMemo({ status: 'Succeeded' });
  return 'paid';
}
