import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './activities';

/**
 * The floor's worker, a process of its own as the product's worker is: a prebuilt workflow bundle, the product's
 * default workflow cache, started with the same V8 heap flags by bench/floor.ts. Prints one JSON line once polling.
 */
async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: env('TEMPORAL_NAMESPACE'),
    taskQueue: env('TEMPORAL_TASK_QUEUE'),
    workflowBundle: { codePath: env('WORKFLOW_BUNDLE_PATH') },
    activities,
    maxCachedWorkflows: Number(env('WORKER_MAX_CACHED_WORKFLOWS')),
  });
  console.log(JSON.stringify({ msg: 'floor worker started' }));
  await worker.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
