import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { acquireGaugeLease, type GaugeLeaseState } from './gaugeLeaseDefinitions';

/**
 * The payout gauges' lease, one long-lived workflow per deployment: the process holding it serves the gauges,
 * renewing it at each scrape; another takes over once it lapses. Two processes set to serve them cannot both.
 */
export async function gaugeLease(initial?: GaugeLeaseState): Promise<void> {
  const state: GaugeLeaseState = { holder: initial?.holder, expiresAt: initial?.expiresAt ?? 0 };
  setHandler(acquireGaugeLease, ({ holder, ttlMs }) => {
    // Workflow time: the same on replay.
    const now = Date.now();
    if (state.holder === undefined || state.holder === holder || now >= state.expiresAt) {
      state.holder = holder;
      state.expiresAt = now + ttlMs;
    }
    return { granted: state.holder === holder, holder: state.holder };
  });
  await condition(() => workflowInfo().continueAsNewSuggested && allHandlersFinished());
  await continueAsNew<typeof gaugeLease>(state);
}
