import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { PayoutStatusKey } from '../temporal/searchAttributes';
import { resumeSignal } from '../workflows/payoutDefinitions';
import {
  PAUSE_SWITCH_WORKFLOW_TYPE,
  pauseSwitchWorkflowId,
  setPausedUpdate,
  type PauseChange,
  type PauseSwitchWorkflow,
} from '../workflows/pauseSwitchDefinitions';

/**
 * The operator's global switch. Pausing stops new transfers from being created (payouts wait in `Paused`,
 * nothing is dropped); resuming also wakes every paused payout at once instead of at its next check.
 * Returns how many paused payouts were woken.
 */
export async function setPayoutsPaused(client: Client, taskQueue: string, change: PauseChange): Promise<number> {
  // The update completes with the workflow task that upserts the memo: once it returns, payouts see the change.
  await client.workflow.executeUpdateWithStart(setPausedUpdate, {
    args: [change],
    startWorkflowOperation: new WithStartWorkflowOperation<PauseSwitchWorkflow>(PAUSE_SWITCH_WORKFLOW_TYPE, {
      workflowId: pauseSwitchWorkflowId(taskQueue),
      taskQueue,
      args: [],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'Global pause switch for payouts',
    }),
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
