import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createBudgetClient } from '../src/activities/budget';
import { recordsTaskQueue } from '../src/temporal/taskQueues';
import { parseEngineName, startEngine, type EngineName } from '../testkit/engine';
import { argValue, percentile, round, runPool, writeResult } from './stats';

/**
 * How many payouts per second one day's budget can grant: N reservations sent through the product's budget client
 * (src/activities/budget.ts, which batches them into Updates) by `--clients` worker processes' worth of clients,
 * `--concurrency` send gates at once, against a real engine. The budget's Stark Bank reads are stubbed (its day
 * starts at zero): this is the workflow and the engine alone, run by a Worker in this process.
 */
export async function runBudgetBench(
  argv: string[] = process.argv.slice(2),
  engineName: EngineName = parseEngineName(argValue(argv, 'engine', 'dev')),
): Promise<BudgetResult[]> {
  const count = Number(argValue(argv, 'count', '5000'));
  const concurrency = Number(argValue(argv, 'concurrency', '200'));
  const clientCounts = argValue(argv, 'clients', '1,4').split(',').map(Number);
  const engine = await startEngine(engineName);
  const results: BudgetResult[] = [];
  try {
    for (const clients of clientCounts) {
      const result = await grantMany(engine, engineName, { count, concurrency, clients });
      console.log(JSON.stringify(result, null, 2));
      results.push(result);
    }
  } finally {
    await engine.stop();
  }
  console.log(`-> ${writeResult(`budget-${engineName}`, { engine: engine.label, results })}`);
  return results;
}

async function grantMany(
  engine: Awaited<ReturnType<typeof startEngine>>,
  engineName: EngineName,
  { count, concurrency, clients }: { count: number; concurrency: number; clients: number },
): Promise<BudgetResult> {
  const taskQueue = `bench-budget-${Date.now()}`;
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: engine.address }),
    namespace: engine.namespace,
    taskQueue: recordsTaskQueue(taskQueue),
    workflowsPath: require.resolve('../src/workflows'),
    activities: {
      sumPayoutTransfersOfDay: () => Promise.resolve(0),
      finalTransfersOfDay: () => Promise.resolve({ succeeded: [], failed: [] }),
    },
  });
  const connections = await Promise.all(
    Array.from({ length: clients }, () => Connection.connect({ address: engine.address })),
  );
  const budgets = connections.map((connection) =>
    createBudgetClient({
      client: new Client({ connection, namespace: engine.namespace }),
      taskQueue,
      dailyMaxCents: Number.MAX_SAFE_INTEGER,
      timeZone: 'America/Sao_Paulo',
    }),
  );
  const day = budgets[0]!.today();
  const running = worker.run();
  try {
    // One reservation first, so the day's budget is started and the figures are of granting alone.
    await budgets[0]!.reserve(day, { externalId: 'warm-up', amount: 1, approvedOverDailyMax: false });
    const cpuBefore = engine.cpuMs();
    let granted = 0;
    const run = await runPool(count, concurrency, async (i) => {
      const answer = await budgets[i % clients]!.reserve(day, {
        externalId: `bench-${i}`,
        amount: 100,
        approvedOverDailyMax: false,
      });
      if (answer.granted) granted++;
    });
    const cpuAfter = engine.cpuMs();
    const engineCpuMs = Object.keys(cpuAfter).reduce((sum, k) => sum + cpuAfter[k]! - (cpuBefore[k] ?? 0), 0);
    return {
      engine: engineName,
      clients,
      concurrency,
      count,
      granted,
      errors: run.errors,
      firstError: run.firstError,
      grantsPerSec: round((granted / run.elapsedMs) * 1000),
      reserveP50Ms: round(percentile(run.latenciesMs, 50)),
      reserveP99Ms: round(percentile(run.latenciesMs, 99)),
      engineCpuMsPerGrant: round(engineCpuMs / Math.max(granted, 1), 2),
    };
  } finally {
    worker.shutdown();
    await running;
    await Promise.all(connections.map((c) => c.close()));
  }
}

export interface BudgetResult {
  engine: EngineName;
  clients: number;
  concurrency: number;
  count: number;
  granted: number;
  errors: number;
  firstError?: string;
  grantsPerSec: number;
  reserveP50Ms: number;
  reserveP99Ms: number;
  engineCpuMsPerGrant: number;
}

if (require.main === module) {
  runBudgetBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
