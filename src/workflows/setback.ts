import { ActivityFailure, ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/common';
import { ErrorTypes } from '../domain/errorTypes';

/** What a failed step means for the payout: wait out an outage and try again, or wait for a person. */
export class Setback extends Error {
  constructor(
    readonly kind: 'transient' | 'person',
    message: string,
    readonly errorType?: string,
  ) {
    super(message);
  }
}

/**
 * Classifies an activity's failure (a remote activity's arrives wrapped in ActivityFailure, a local one's bare).
 * Only a cancellation, or an error that is not Temporal's (a bug in the workflow, retried as a workflow task),
 * gets through: anything else a retry policy has already given up on, so a person decides, and the payout never
 * ends Failed.
 */
export function setbackOf(err: unknown): Setback {
  const failure: unknown = err instanceof ActivityFailure ? err.cause : err;
  if (failure instanceof CancelledFailure || !(err instanceof TemporalFailure)) throw err;
  if (!(failure instanceof ApplicationFailure)) {
    // A timeout after the last attempt, or a failure the server reported.
    const cause = failure instanceof Error && failure !== err ? failure : undefined;
    return new Setback('person', cause ? `${err.message}: ${cause.message}` : err.message, (cause ?? err).name);
  }
  const type = failure.type ?? undefined;
  if (type === ErrorTypes.transient) return new Setback('transient', failure.message, type);
  return new Setback('person', failure.message, type);
}
