import type { RequestHandler } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorContext } from '../domain/context';
import { ApiError } from '../domain/errors';
import { takeFaultRule } from '../domain/faultRules';

function pathMatches(pattern: string | undefined, path: string): boolean {
  if (!pattern) return true;
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/**
 * Injects the configured API faults into authenticated /v2 requests: one-shot rules first, then the rates.
 * `error` answers 500 before anything happens; `slow` waits, then handles; `dropAfterCommit` handles the request
 * (so its writes stick) and then destroys the socket instead of answering: the client sees an unknown outcome.
 */
export function injectFaults(ctx: EmulatorContext): RequestHandler {
  return async (req, res, next) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    const rule = takeFaultRule(
      ctx,
      (r) => r.kind !== 'duplicateDelivery' && (!r.method || r.method === req.method) && pathMatches(r.path, path),
    );
    const { faults } = ctx;
    const draw = (rate: number): boolean => !rule && ctx.random.faults.chance(rate);

    if (rule?.kind === 'error' || draw(faults.errorRate)) {
      throw new ApiError(500, [{ code: 'internalError', message: 'Houston, we have a problem. (emulated fault)' }]);
    }
    if (rule?.kind === 'slow' || draw(faults.slowRate)) await sleep(faults.slowDelayMs);
    if (rule?.kind === 'dropAfterCommit' || draw(faults.dropAfterCommitRate)) {
      res.json = () => {
        req.socket.destroy();
        return res;
      };
    }
    next();
  };
}
