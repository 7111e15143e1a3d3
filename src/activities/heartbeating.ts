import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every `everyMs` (the SDK throttles what it sends to the server), so the server
 * notices a dead worker within the activity's heartbeat timeout, whatever `work` waits on.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>, everyMs = 1_000): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
