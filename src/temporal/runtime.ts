import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../observability/logger';

const toPino: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The process's one Temporal Runtime, installed by each entry point that runs a worker or a replayer, before any
 * Worker or NativeConnection exists. Every log of the SDK goes through our pino logger, so the process writes one
 * structured stream: the TypeScript side's (worker lifecycle, workflow and activity `log` calls) and, forwarded,
 * sdk-core's native (Rust) logs, which otherwise go straight to the console in a format of their own. Exports
 * the SDK's runtime metrics to Prometheus at `metricsAddress` when given.
 */
export function installTemporalRuntime(
  logger: Logger,
  metricsAddress?: string,
  /** The SDK's default shuts every Worker down at once; a process that orders its shutdown passes []. */
  shutdownSignals?: NodeJS.Signals[],
): void {
  const level = (Object.entries(toPino).find(([, p]) => p === logger.level)?.[0] ?? 'INFO') as LogLevel;
  Runtime.install({
    ...(shutdownSignals && { shutdownSignals }),
    telemetryOptions: {
      // sdk-core at our level; the crates it uses (gRPC, HTTP) only when they report errors.
      logging: { filter: { core: level, other: 'ERROR' }, forward: {} },
      ...(metricsAddress && { metrics: { prometheus: { bindAddress: metricsAddress } } }),
    },
    logger: new DefaultLogger(level, (entry) => {
      logger[toPino[entry.level]]({ ...entry.meta, source: 'temporal' }, entry.message);
    }),
  });
}
