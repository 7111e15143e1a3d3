import type { WorkerOptions } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { logger } from '../src/shared/logger';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { createWorker } from '../src/worker';

/**
 * The product's worker (same createWorker) with WorkerOptions overrides from BENCH_WORKER_OPTIONS (JSON, e.g.
 * `{"maxConcurrentWorkflowTaskExecutions":8,"maxCachedWorkflows":2000}`), so benchmarks can compare tunings
 * without changing src/worker.ts. Logs `worker started` like the real entry point.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  installTemporalRuntime(logger);
  const overrides = JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as Partial<WorkerOptions>;
  const worker = await createWorker(config, overrides);
  logger.info({ overrides, pid: process.pid }, 'worker started');
  await worker.run();
}

main().catch((err: unknown) => {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'worker failed');
  process.exit(1);
});
