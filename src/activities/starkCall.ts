import { heartbeat, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { classifyStarkError, type ClassifiedStarkError } from '../starkbank/errors';
import { ErrorTypes } from '../domain/errorTypes';

/**
 * Runs one SDK call and turns whatever it throws into an ApplicationFailure Temporal understands:
 * input and not-found errors are non-retryable, everything else is retried by the activity's retry policy (an
 * unexpected answer only up to its attempts: the workflow then asks a person).
 */
export async function starkCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toFailure(action, classifyStarkError(err));
  }
}

export interface UnknownOutcome<T> {
  /** Finds what the write would have made, if it was committed. */
  lookup: () => Promise<T | undefined>;
  /** How long after a lost answer a late commit can still appear. */
  windowMs: number;
  pollMs?: number;
}

/**
 * A write whose answer may be lost after Stark Bank committed it (a timeout, a dropped connection, a 5xx). Then it
 * looks up what the write would have made until a late commit would have shown, and returns that if it appears:
 * the retry that follows only creates again when nothing was committed.
 */
export async function starkWrite<T>(action: string, write: () => Promise<T>, unknown: UnknownOutcome<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const classified = classifyStarkError(err);
    if (!classified.mayHaveCommitted) throw toFailure(action, classified);
    const deadline = Date.now() + unknown.windowMs;
    for (;;) {
      heartbeat({ settling: action });
      const found = await unknown.lookup().catch(() => undefined);
      if (found !== undefined) return found;
      if (Date.now() >= deadline) throw toFailure(action, classified);
      await sleep(Math.min(unknown.pollMs ?? 1_000, Math.max(0, deadline - Date.now())));
    }
  }
}

function toFailure(action: string, c: ClassifiedStarkError): ApplicationFailure {
  return ApplicationFailure.create({
    message: `${action}: ${c.message}`,
    type: ErrorTypes[c.kind],
    nonRetryable: c.kind === 'input' || c.kind === 'notFound',
    details: c.codes.length > 0 ? [{ codes: c.codes }] : undefined,
  });
}
