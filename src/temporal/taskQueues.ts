/**
 * A deployment's two task queues. Payouts (and issuance, recovery) run on the configured one; the workflows that
 * keep records for it (decision records, the pause switch, the days' budgets) on a queue of their own, so a burst
 * of payouts never makes an operator's decision or a transfer's grant wait behind it. One worker serves both.
 */
export function recordsTaskQueue(taskQueue: string): string {
  return `${taskQueue}-records`;
}

/** A visibility filter for the workflows of a deployment, on either of its task queues. */
export function deploymentQueuesFilter(taskQueue: string): string {
  return `(TaskQueue="${taskQueue}" OR TaskQueue="${recordsTaskQueue(taskQueue)}")`;
}
