import { defineSignal, proxyLocalActivities, setHandler } from '@temporalio/workflow';

/** Sent with the start, as the webhook's signalWithStart sends the credited event; the floor only receives it. */
export const goSignal = defineSignal<[string]>('go');

// The activity's type is spelled here so that this module needs nothing but the workflow SDK.
const { touch } = proxyLocalActivities<{ touch(): Promise<string> }>({ startToCloseTimeout: '30 seconds' });

/** The least a workflow does with its engine: start, run one local activity, complete. */
export async function floor(): Promise<string> {
  setHandler(goSignal, () => undefined);
  return touch();
}
