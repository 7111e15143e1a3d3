import { Client, Connection } from '@temporalio/client';
import { freePort } from '../testkit/devServer';
import { parseEngineName, type EngineName } from '../testkit/engine';
import { createInvoices, memoryOf, startPipeline } from '../testkit/pipeline';
import { argValue, round, writeResult } from './stats';

/**
 * What a cached payout costs the worker: N payouts made to wait for approval (so each stays in the worker's cache),
 * the worker's resident memory before and after, per payout. What the worker's default cache size is derived from
 * (cacheSizeForHeap in src/worker.ts, the default of WORKER_MAX_CACHED_WORKFLOWS).
 */
export async function runCacheBench(
  argv: string[] = process.argv.slice(2),
  engineName: EngineName = parseEngineName(argValue(argv, 'engine', 'dev')),
): Promise<CacheResult> {
  const count = Number(argValue(argv, 'count', '1500'));
  const sdkMetrics = `127.0.0.1:${await freePort()}`;
  const pipeline = await startPipeline({
    engine: engineName,
    webhookPort: await freePort(),
    // Every payout is above a R$ 0,01 per-transfer maximum: it waits for approval, in the cache.
    serviceEnv: {
      PAYOUT_MAX_AMOUNT_CENTS: '1',
      WORKER_MAX_CACHED_WORKFLOWS: String(count * 2),
      SDK_METRICS_ADDRESS: sdkMetrics,
    },
    emulator: { behaviour: { timeScale: 0.01, payShare: 0 } },
  });
  const { stark, engine } = pipeline;
  const workerPid = pipeline.workers[0]!.process.pid;
  const connection = await Connection.connect({ address: engine.address });
  const client = new Client({ connection, namespace: engine.namespace });
  try {
    const ids = await createInvoices(stark, count);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const before = memoryOf(workerPid).rssMiB;
    for (const id of ids) stark.emulator.payInvoice(id);
    const query = 'WorkflowType="payout" AND PayoutStatus="AwaitingApproval"';
    while ((await client.workflow.count(query)).count < count) await new Promise((r) => setTimeout(r, 1_000));
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const after = memoryOf(workerPid).rssMiB;
    const metrics = await (await fetch(`http://${sdkMetrics}/metrics`)).text();
    const cached = metrics
      .split('\n')
      .filter((l) => l.startsWith('temporal_sticky_cache_size') && l.includes('task_queue="bench-payouts"'))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    const result: CacheResult = {
      engine: engine.label,
      count,
      cached,
      rssBeforeMiB: before,
      rssAfterMiB: after,
      kibPerCachedPayout: round(((after - before) * 1024) / Math.max(cached, 1)),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`-> ${writeResult(`cache-${engineName}`, result)}`);
    return result;
  } finally {
    await connection.close();
    await pipeline.close();
  }
}

export interface CacheResult {
  engine: string;
  count: number;
  /** The worker's sticky cache size once every payout waited (the SDK's gauge). */
  cached: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  kibPerCachedPayout: number;
}

if (require.main === module) {
  runCacheBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
