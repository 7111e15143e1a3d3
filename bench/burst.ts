import {
  auditBalance,
  auditTransfers,
  createInvoices,
  creditedNetAmounts,
  memoryOf,
  startPipeline,
  transfersByInvoice,
  workspaceBalance,
} from '../testkit/pipeline';
import { parseEngineName, type EngineName } from '../testkit/engine';
import { processCpuMs } from '../testkit/procfs';
import { Client, Connection } from '@temporalio/client';
import { invoiceIdOfTransfer, payoutWorkflowId } from '../src/domain/payoutIds';
import { tsToMs } from '@temporalio/common/lib/time';
import { invoiceIdOfWorkflow } from '../src/workflows/payoutDefinitions';
import type { Pipeline } from '../testkit/pipeline';
import { argValue, percentile, round, writeBenchFile, writeResult } from './stats';
import { freePort } from '../testkit/devServer';

/**
 * N invoices credited at once (emulator `payInvoice` on all of them), 20% duplicate and out-of-order
 * deliveries, worker and webhook as real processes: time until every transfer is `success`.
 * Progress is read from the in-process emulator's transfer counts, which is cheap enough to poll during the
 * burst; the final audit goes through the SDK.
 */
export async function runBurstBench(
  argv: string[] = process.argv.slice(2),
  engineName: EngineName = parseEngineName(argValue(argv, 'engine', 'dev')),
): Promise<BurstSummary> {
  const arg = (name: string, fallback: string) => argValue(argv, name, fallback);
  const count = Number(arg('count', '1000'));
  const timeoutMs = Number(arg('timeout', '600')) * 1000;
  const serviceEnv = JSON.parse(arg('env', '{}')) as Record<string, string>;
  const dynamicConfig = JSON.parse(arg('dynamic', '{}')) as Record<string, string | number | boolean>;
  const profileDir = arg('profile', '') || undefined;
  // The worker's SDK metrics: how often the sticky cache missed and workflows were replayed from the start.
  const sdkMetrics = `127.0.0.1:${await freePort()}`;
  const pipeline = await startPipeline({
    engine: engineName,
    webhookPort: await freePort(),
    profileDir,
    serviceEnv: { SDK_METRICS_ADDRESS: sdkMetrics, ...serviceEnv },
    temporal: { dynamicConfig },
    emulator: {
      // payShare 0: nothing is paid on its own; the burst pays all at once. Bank delays run 100x faster
      // (transfer created -> success in 0.12 s; webhook retries after 3 s, 18 s, 72 s).
      behaviour: { timeScale: 0.01, payShare: 0 },
      faults: { duplicateDeliveryRate: 0.2, outOfOrderDelivery: true, outOfOrderMaxDelayMs: 500 },
    },
  });
  const { stark, engine } = pipeline;
  const workerPid = pipeline.workers[0]!.process.pid;
  const webhookPid = pipeline.webhooks[0]!.process.pid;
  // CPU per component: the worker, the webhook, the engine's parts, and this process (the emulator and the bench).
  const cpuNow = (): Record<string, number> => {
    const own = process.cpuUsage();
    return {
      worker: processCpuMs(workerPid),
      webhook: processCpuMs(webhookPid),
      ...engine.cpuMs(),
      emulatorAndBench: (own.user + own.system) / 1000,
    };
  };
  try {
    const tCreate = performance.now();
    const ids = await createInvoices(stark, count);
    const createMs = performance.now() - tCreate;

    const balanceBefore = await workspaceBalance(stark);
    const cpuAtStart = cpuNow();
    const t0 = performance.now();
    const t0Wall = Date.now();
    for (const id of ids) stark.emulator.payInvoice(id);
    const progress: { s: number; success: number; transfers: number; rssMiB: number }[] = [];
    let success = 0;
    let peakRss = 0;
    while (performance.now() - t0 < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const counts = stark.emulator.transferCounts();
      success = counts.success ?? 0;
      const mem = memoryOf(workerPid);
      peakRss = Math.max(peakRss, mem.rssMiB);
      const s = round((performance.now() - t0) / 1000);
      const transfers = Object.values(counts).reduce((sum, n) => sum + n, 0);
      progress.push({ s, success, transfers, rssMiB: mem.rssMiB });
      if (progress.length % 10 === 0) console.log(`  ${s} s: ${success}/${count} transfers success`);
      if (success >= count) break;
    }
    const elapsedMs = performance.now() - t0;
    const cpuAtEnd = cpuNow();
    const cpuMsPerPayout = Object.fromEntries(
      Object.entries(cpuAtEnd).map(([name, ms]) => [name, round((ms - cpuAtStart[name]!) / Math.max(success, 1))]),
    );
    const firstAt = progress.find((p) => p.transfers > 0)?.s;
    const latency = await latencies(stark.emulator.snapshot(), engine, ids, t0Wall);
    const cache = await workerCacheMetrics(sdkMetrics);
    const byInvoice = await transfersByInvoice(stark);
    const netAmounts = await creditedNetAmounts(stark);
    const audit = auditTransfers(ids, byInvoice, netAmounts);
    const balance = await auditBalance(stark, balanceBefore, netAmounts, byInvoice);
    const snap = stark.emulator.snapshot();
    const result = {
      engine: engine.label,
      count,
      serviceEnv,
      dynamicConfig,
      createInvoicesMs: Math.round(createMs),
      allSucceeded: success >= count,
      secondsToAllSuccess: success >= count ? round(elapsedMs / 1000) : null,
      successAtEnd: success,
      firstTransferAtS: firstAt,
      latency,
      cache,
      payoutsPerSec: round((success / elapsedMs) * 1000),
      workerPeakRssMiB: Math.max(peakRss, memoryOf(workerPid).hwmMiB),
      cpuMsPerPayout,
      webhookDeliveries: snap.events.filter((e) => e.isDelivered).length,
      failedDeliveryAttempts: snap.attempts.length,
      audit,
      balance,
      exactlyOnePerCredited:
        audit.missing === 0 &&
        audit.duplicates === 0 &&
        audit.wrongAmount === 0 &&
        audit.stray === 0 &&
        audit.transfers === count &&
        balance.balances,
      progress,
    };
    const { progress: _p, ...summary } = result;
    summary.audit.missingIds = summary.audit.missingIds.slice(0, 10);
    console.log(JSON.stringify(summary, null, 2));
    console.log(`-> ${writeResult(`${arg('name', 'burst')}-${engineName}`, result)}`);
    if (!result.exactlyOnePerCredited) process.exitCode = 1;
    return summary;
  } finally {
    await pipeline.close();
  }
}

/**
 * Per payout, from the emulator's own timestamps and Temporal's close times: credited → transfer created and
 * credited → payout `Succeeded` (p50, p95, p99, in seconds), and the first transfer after the credits.
 */
async function latencies(
  snap: ReturnType<Pipeline['stark']['emulator']['snapshot']>,
  engine: Pipeline['engine'],
  ids: string[],
  creditedAtMs: number,
): Promise<Record<string, number>> {
  const connection = await Connection.connect({ address: engine.address });
  const client = new Client({ connection, namespace: engine.namespace });
  const credited = new Map(
    snap.invoiceLogs.filter((l) => l.type === 'credited').map((l) => [l.invoice.id, Date.parse(l.created)]),
  );
  const toCreated: number[] = [];
  for (const t of snap.transfers) {
    const invoiceId = invoiceIdOfTransfer(t);
    const at = invoiceId && credited.get(invoiceId);
    if (at) toCreated.push((Date.parse(t.created) - at) / 1000);
  }
  const toSucceeded: number[] = [];
  const wanted = new Set(ids);
  for await (const w of client.workflow.list({ query: 'WorkflowType="payout" AND ExecutionStatus="Completed"' })) {
    const invoiceId = invoiceIdOfWorkflow(w.workflowId);
    const at = credited.get(invoiceId);
    if (wanted.has(invoiceId) && at && w.closeTime) toSucceeded.push((w.closeTime.getTime() - at) / 1000);
  }
  const stages = await stagesOfPayouts(client, credited, snap.transfers);
  await connection.close();
  const firstCreated = Math.min(...snap.transfers.map((t) => Date.parse(t.created)));
  const ps = (name: string, xs: number[]) =>
    Object.fromEntries([50, 95, 99].map((p) => [`${name}P${p}S`, round(percentile(xs, p), 2)]));
  return {
    firstTransferAfterCreditS: round((firstCreated - creditedAtMs) / 1000, 2),
    ...ps('creditedToCreated', toCreated),
    ...ps('creditedToSucceeded', toSucceeded),
    ...stages,
  };
}

/**
 * Where the time to a transfer goes, from each payout's history (p50 over payouts, and the first transfer's own):
 * credited → workflow started (emulator delivery, webhook), → createTransfer scheduled (first workflow task, its
 * reads), → started (waiting for an activity slot), → the transfer created (the send gate, its budget Update, the API).
 */
async function stagesOfPayouts(
  client: Client,
  credited: Map<string, number>,
  transfers: ReturnType<Pipeline['stark']['emulator']['snapshot']>['transfers'],
): Promise<Record<string, number>> {
  const rows: { created: number; stages: number[] }[] = [];
  for (const t of transfers) {
    const invoiceId = invoiceIdOfTransfer(t);
    const at = invoiceId && credited.get(invoiceId);
    if (!invoiceId || !at) continue;
    const events = (await client.workflow.getHandle(payoutWorkflowId(invoiceId)).fetchHistory()).events ?? [];
    const time = (e: (typeof events)[number] | undefined) => (e?.eventTime ? tsToMs(e.eventTime) : NaN);
    const scheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createTransfer',
    );
    const started = events.find(
      (e) =>
        e.activityTaskStartedEventAttributes &&
        Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(scheduled?.eventId),
    );
    const created = Date.parse(t.created);
    const marks = [at, time(events[0]), time(scheduled), time(started), created];
    rows.push({ created, stages: marks.slice(1).map((m, i) => (m - marks[i]!) / 1000) });
  }
  const names = ['toStarted', 'toSendScheduled', 'toSendStarted', 'toTransferCreated'];
  const first = rows.sort((a, b) => a.created - b.created)[0];
  return Object.fromEntries(
    names.flatMap((name, i) => [
      [`stageP50S_${name}`, round(percentile(rows.map((r) => r.stages[i]!).filter(Number.isFinite), 50), 2)],
      [`stageFirstS_${name}`, round(first?.stages[i] ?? NaN, 2)],
    ]),
  );
}

/** The worker's sticky cache over the burst, from the SDK's Prometheus metrics. */
async function workerCacheMetrics(address: string): Promise<Record<string, number>> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  writeBenchFile('burst-worker-metrics.txt', text);
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name) && !line.startsWith('#'))
      .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
  return {
    stickyCacheHits: sum('temporal_sticky_cache_hit'),
    stickyCacheMisses: sum('temporal_sticky_cache_miss'),
    forcedEvictions: sum('temporal_sticky_cache_total_forced_eviction'),
    replays: sum('temporal_workflow_task_replay_latency_count'),
    workflowTasks: sum('temporal_workflow_task_execution_latency_count'),
  };
}

/** What the summary reads; the JSON file has the rest. */
export interface BurstSummary {
  engine: string;
  allSucceeded: boolean;
  payoutsPerSec: number;
  cpuMsPerPayout: Record<string, number>;
  workerPeakRssMiB: number;
  exactlyOnePerCredited: boolean;
  [more: string]: unknown;
}

if (require.main === module) {
  runBurstBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
