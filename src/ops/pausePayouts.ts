import type { Client } from '@temporalio/client';
import { PayoutStatusKey } from '../temporal/searchAttributes';
import { resumeSignal } from '../workflows/payoutDefinitions';
import {
  PAUSE_SWITCH_WORKFLOW_TYPE,
  pauseSwitchWorkflowId,
  setPausedSignal,
  type PauseChange,
  type PauseSwitchWorkflow,
} from '../workflows/pauseSwitchDefinitions';

/**
 * The operator's global switch. Pausing stops new transfers from being created (payouts wait in `Paused`,
 * nothing is dropped); resuming also wakes every paused payout at once instead of at its next check.
 * Returns how many paused payouts were woken.
 */
export async function setPayoutsPaused(client: Client, taskQueue: string, change: PauseChange): Promise<number> {
  await client.workflow.signalWithStart<PauseSwitchWorkflow, [PauseChange]>(PAUSE_SWITCH_WORKFLOW_TYPE, {
    workflowId: pauseSwitchWorkflowId(taskQueue),
    taskQueue,
    args: [],
    signal: setPausedSignal,
    signalArgs: [change],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: 'Global pause switch for payouts',
  });
  if (change.paused) return 0;
  let woken = 0;
  const query = `${PayoutStatusKey.name}="Paused" AND ExecutionStatus="Running" AND TaskQueue="${taskQueue}"`;
  for await (const execution of client.workflow.list({ query })) {
    await client.workflow.getHandle(execution.workflowId).signal(resumeSignal);
    woken++;
  }
  return woken;
}
