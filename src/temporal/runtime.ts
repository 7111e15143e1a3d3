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
 * Sends the Temporal SDK's own logs (worker lifecycle, workflow and activity `log` calls) through our pino
 * logger, so the whole process writes one structured JSON stream, and exports the SDK's runtime metrics to
 * Prometheus at `metricsAddress` when given. Must run before any Worker is created.
 */
export function installTemporalRuntime(logger: Logger, metricsAddress?: string): void {
  const level = (Object.entries(toPino).find(([, p]) => p === logger.level)?.[0] ?? 'INFO') as LogLevel;
  Runtime.install({
    ...(metricsAddress && { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } }),
    logger: new DefaultLogger(level, (entry) => {
      logger[toPino[entry.level]]({ ...entry.meta, source: 'temporal' }, entry.message);
    }),
  });
}
