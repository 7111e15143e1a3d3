import { ApplicationFailure } from '@temporalio/common';
import { classifyStarkError } from '../starkbank/errors';
import { ErrorTypes } from '../domain/errorTypes';

/**
 * Runs one SDK call and turns whatever it throws into an ApplicationFailure Temporal understands:
 * input and not-found errors are non-retryable, everything else is retried by the activity's retry policy.
 */
export async function starkCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const c = classifyStarkError(err);
    throw ApplicationFailure.create({
      message: `${action}: ${c.message}`,
      type: ErrorTypes[c.kind],
      nonRetryable: c.kind !== 'transient',
      details: c.codes.length > 0 ? [{ codes: c.codes }] : undefined,
    });
  }
}
