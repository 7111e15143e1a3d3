import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseEngineName, startEngine, type EngineName } from '../testkit/engine';
import { memoryOf, WORKER_MEMORY_FLAGS } from '../testkit/pipeline';
import { startService } from '../testkit/processes';
import { processCpuMs } from '../testkit/procfs';
import { argValue, round, runPool, writeResult } from './stats';
import { floor, goSignal, payoutShaped } from './floor/workflows';
import { cacheSizeForHeap } from '../src/worker';

/**
 * The engine's floor: N minimal workflows (start, one local activity, complete) started the way the burst's
 * payouts are, by signalWithStart with every start in flight at once, run by a worker process like the product's.
 * What a payout costs above this is the product's own; this is what any workflow costs on this engine.
 */
export async function runFloorBench(
  argv: string[] = process.argv.slice(2),
  engineName: EngineName = parseEngineName(argValue(argv, 'engine', 'dev')),
): Promise<FloorResult> {
  const arg = (name: string, fallback: string) => argValue(argv, name, fallback);
  const count = Number(arg('count', '1000'));
  // All at once by default: the burst's deliveries all reach the webhook within its 0.5 s jitter.
  const concurrency = Number(arg('concurrency', String(count)));
  const timeoutMs = Number(arg('timeout', '600')) * 1000;
  const dynamicConfig = JSON.parse(arg('dynamic', '{}')) as Record<string, string | number | boolean>;
  const profileDir = arg('profile', '') || undefined;
  // `--shape=payout`: a happy payout's steps with no-op work (bench/floor/workflows.ts) instead of the bare floor.
  const shape = arg('shape', 'floor') === 'payout' ? payoutShaped : floor;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-floor-'));
  const bundlePath = path.join(dir, 'floor-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor/workflows'), logger: quiet });
  fs.writeFileSync(bundlePath, code);

  const engine = await startEngine(engineName, { dynamicConfig });
  const taskQueue = `bench-floor-${Date.now()}`;
  const env = {
    TEMPORAL_ADDRESS: engine.address,
    TEMPORAL_NAMESPACE: engine.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    // The product's default with its heap (WORKER_MAX_CACHED_WORKFLOWS).
    WORKER_MAX_CACHED_WORKFLOWS: String(cacheSizeForHeap(384 * 2 ** 20)),
  };
  const worker = await startService('bench/floor/worker.ts', env, (l) => l.msg === 'floor worker started', 90_000, [
    ...WORKER_MEMORY_FLAGS,
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ]).catch(async (error: unknown) => {
    await engine.stop();
    throw error;
  });
  const connection = await Connection.connect({ address: engine.address });
  const client = new Client({ connection, namespace: engine.namespace });
  const workerPid = worker.process.pid;
  const cpuNow = (): Record<string, number> => {
    const own = process.cpuUsage();
    return { ...engine.cpuMs(), worker: processCpuMs(workerPid), client: (own.user + own.system) / 1000 };
  };
  const completed = async () =>
    (
      await client.workflow.count(
        `WorkflowType="${shape.name}" AND TaskQueue="${taskQueue}" AND ExecutionStatus="Completed"`,
      )
    ).count;
  try {
    const cpuAtStart = cpuNow();
    const t0 = performance.now();
    const starts = runPool(count, concurrency, async (i) => {
      await client.workflow.signalWithStart(shape, {
        workflowId: `floor-${taskQueue}-${i}`,
        taskQueue,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'USE_EXISTING',
        signal: goSignal,
        signalArgs: [String(i)],
      });
    });
    let done = 0;
    let peakRss = 0;
    // The count is a visibility query, a small cost of its own on the server: a few per second only.
    while (performance.now() - t0 < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      peakRss = Math.max(peakRss, memoryOf(workerPid).rssMiB);
      done = await completed();
      if (done >= count) break;
    }
    const elapsedMs = performance.now() - t0;
    const cpuAtEnd = cpuNow();
    const startErrors = (await starts).errors;
    const cpuMsPerWorkflow = Object.fromEntries(
      Object.entries(cpuAtEnd).map(([part, ms]) => [part, round((ms - cpuAtStart[part]!) / Math.max(done, 1))]),
    );
    const result: FloorResult = {
      engine: engine.label,
      shape: shape.name,
      count,
      concurrency,
      dynamicConfig,
      completed: done,
      startErrors,
      seconds: round(elapsedMs / 1000),
      workflowsPerSec: round((done / elapsedMs) * 1000),
      cpuMsPerWorkflow,
      workerPeakRssMiB: Math.max(peakRss, memoryOf(workerPid).hwmMiB),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`-> ${writeResult(`${arg('name', shape === floor ? 'floor' : 'shaped')}-${engineName}`, result)}`);
    return result;
  } finally {
    await connection.close();
    // A profile is written at a clean exit only.
    await worker.stop(profileDir ? 'SIGTERM' : 'SIGKILL');
    await engine.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface FloorResult {
  engine: string;
  /** `floor`, or `payoutShaped`: a payout's Temporal steps with no-op work. */
  shape: string;
  count: number;
  concurrency: number;
  dynamicConfig: Record<string, string | number | boolean>;
  completed: number;
  startErrors: number;
  seconds: number;
  workflowsPerSec: number;
  /** By part: `temporal`, `postgres` on the cluster, `worker`, `client` (this process: the starts and the count). */
  cpuMsPerWorkflow: Record<string, number>;
  workerPeakRssMiB: number;
}

const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
function noop(): void {}

if (require.main === module) {
  runFloorBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
