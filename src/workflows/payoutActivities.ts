import { proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from './activityTypes';
import { ErrorTypes } from '../domain/errorTypes';

/** The activities a payout calls, with the retry policies that fit each kind. */

// Reads run as local activities: a marker in history instead of a scheduled task. Past 10 s of backoff a retry
// waits on a workflow timer. After a few attempts the payout itself decides: wait longer, or ask a person.
export const reads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [ErrorTypes.input, ErrorTypes.notFound, ErrorTypes.invoiceNotCredited],
  },
});

// Writes (the transfer, the budget, the decision record, cases) are ordinary activities, so their attempts show in
// the Web UI. The transfer is looked up by externalId before it is created, so a retry never sends twice.
const writeRetry: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 8,
  nonRetryableErrorTypes: [ErrorTypes.input, ErrorTypes.notFound],
};
export const writes = proxyActivities<Activities>({ startToCloseTimeout: '3 minutes', retry: writeRetry });

// The transfer heartbeats while it runs: when its worker dies the server retries it after the heartbeat timeout
// (seconds), not after the 3-minute start-to-close timeout. A retry looks the externalId up before creating.
export const transfers = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: writeRetry,
});
