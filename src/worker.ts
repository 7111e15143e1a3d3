import v8 from 'node:v8';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { ConfigError, loadSections, type ConfigOf } from './config';
import { cachedRetention, lookbackProblem } from './temporal/namespace';
import { payloadKeyProblem, searchAttributeProblem } from './temporal/startupGuards';
import { pauseSwitchWorkflowId } from './workflows/pauseSwitchDefinitions';
import { customSearchAttributes } from './temporal/searchAttributes';
import { recordsTaskQueue } from './temporal/taskQueues';
import { createStarkUser } from './starkbank/user';
import { createDataConverter, createTemporalClient } from './temporal/client';
import { logger } from './observability/logger';
import { installTemporalRuntime } from './temporal/runtime';
import { installStarkbankPatches } from './starkbank/sdkPatches';
import { startAdminServer } from './observability/adminServer';
import { startCodecServer } from './temporal/codecServer';
import { registerPayoutGauges } from './gauges/payoutGauges';
import { errorMessage } from './shared/errors';
import { installTracing, tracingPlugin, workflowInterceptorModules, type Tracing } from './observability/tracing';
import { becomeCurrentIfFirst, buildIdOf, versionName } from './temporal/workerDeployment';
import type { WorkerDeploymentVersion } from '@temporalio/common';

/** The configuration the worker reads: no issuance or webhook settings. */
export const WORKER_SECTIONS = ['temporal', 'stark', 'payouts', 'recovery', 'admin'] as const;
export type WorkerConfig = ConfigOf<(typeof WORKER_SECTIONS)[number]>;

/**
 * Builds the worker process's two Workers, on one connection, with the same workflows and activities: one polls the
 * payouts' task queue, one the records' (decision records, the pause switch, the days' budgets), so those are
 * served at once whatever the payouts' backlog. WORKFLOW_BUNDLE_PATH points at a prebuilt bundle (production
 * images); otherwise workflows are bundled at start.
 */
export async function createWorkers(config: WorkerConfig, tracing: Tracing): Promise<Worker[]> {
  const { maxConcurrentWorkflowTasks, maxConcurrentActivities } = config.worker;
  const maxCachedWorkflows =
    config.worker.maxCachedWorkflows ?? cacheSizeForHeap(v8.getHeapStatistics().heap_size_limit);
  const { taskQueue } = config.temporal;
  const user = createStarkUser(config.stark);
  const client = createTemporalClient(config.temporal);
  const retentionMs = cachedRetention(client);
  // Refuse to start on a namespace that lacks what the workflows write, or that forgets too soon.
  const problems = [
    lookbackProblem(config.recovery.lookbackDays, await retentionMs(), client.options.namespace),
    await searchAttributeProblem(client, customSearchAttributes),
    await payloadKeyProblem(client, pauseSwitchWorkflowId(taskQueue)),
  ].filter((p) => p !== undefined);
  if (problems.length > 0) throw new ConfigError(`Cannot start the worker:\n  ${problems.join('\n  ')}`);
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
  const version = deploymentVersion(config);
  const shared = {
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(config.temporal.payloadKeys),
    // One workflow code whether traces are exported or not: the bundle always carries the tracing interceptors.
    ...(bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : {
          workflowsPath: require.resolve('./workflows'),
          interceptors: { workflowModules: workflowInterceptorModules },
        }),
    plugins: [tracingPlugin(tracing)],
    // SIGTERM lets in-flight activities finish (a transfer create answers in seconds), then cancels what remains.
    shutdownGraceTime: config.worker.shutdownGraceTime,
    shutdownForceTime: config.worker.shutdownForceTime,
    activities: createActivities({
      user,
      client,
      taskQueue,
      destination: config.destination,
      guardrails: config.guardrails,
      workspaceId: config.stark.workspaceId,
      timeZone: config.payoutDayTimeZone,
      lateCommitMs: config.stark.lateCommitMs,
      retentionMs,
    }),
  };
  // Both Workers are one version, so a payout and its records move to a new build together. Versioning behaviour
  // per queue (docs/operations.md): payouts, issuance and recovery runs are pinned, each ending on the build it
  // started on. The records never close, and server 1.29 keeps a pinned run's version across continue-as-new:
  // pinned they would hold their first build forever, so they move to the current build at their next task.
  // (Per Worker, not setWorkflowOptions: the server fails tasks of an annotated workflow on unversioned workers.)
  const versioned = (defaultVersioningBehavior: 'PINNED' | 'AUTO_UPGRADE') =>
    version && { workerDeploymentOptions: { version, useWorkerVersioning: true as const, defaultVersioningBehavior } };
  return Promise.all([
    Worker.create({
      ...shared,
      ...versioned('PINNED'),
      taskQueue,
      maxCachedWorkflows,
      ...(maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: maxConcurrentWorkflowTasks } : {}),
      ...(maxConcurrentActivities
        ? {
            maxConcurrentActivityTaskExecutions: maxConcurrentActivities,
            maxConcurrentLocalActivityExecutions: maxConcurrentActivities,
          }
        : {}),
    }),
    // Few records are busy at once (today's budget, the switch, a decision): a small cache and few slots.
    Worker.create({
      ...shared,
      ...versioned('AUTO_UPGRADE'),
      taskQueue: recordsTaskQueue(taskQueue),
      maxCachedWorkflows: RECORDS_CACHE,
    }),
  ]);
}

const RECORDS_CACHE = 100;

/** This build's version of the Worker Deployment, or undefined when versioning is off (WORKER_VERSIONING=false). */
export function deploymentVersion(config: Pick<WorkerConfig, 'worker'>): WorkerDeploymentVersion | undefined {
  const { enabled, deploymentName, buildId } = config.worker.versioning;
  if (!enabled) return undefined;
  return { deploymentName, buildId: buildIdOf(buildId, process.env.WORKFLOW_BUNDLE_PATH) };
}

interface VersionLog {
  info(fields: { version: string; outcome: string }, msg: string): void;
  warn(fields: { version: string; err: string }, msg: string): void;
}

/**
 * Once the Workers poll: a deployment's first build makes itself current (no manual step on a first deploy or in
 * `npm run dev`); a later one stays a candidate for `ops deploy set-current`. Logs which, never throws.
 */
export async function settleVersion(config: WorkerConfig, log: VersionLog): Promise<void> {
  const version = deploymentVersion(config);
  if (!version) return;
  const { taskQueue } = config.temporal;
  const client = createTemporalClient(config.temporal);
  try {
    const outcome = await becomeCurrentIfFirst(client, version, [taskQueue, recordsTaskQueue(taskQueue)]);
    const what = {
      'became-current': 'first build of the deployment: made current',
      'is-current': 'current version',
      candidate: 'candidate: runs its pinned workflows only until `ops deploy set-current` makes it current',
    }[outcome];
    log.info({ version: versionName(version), outcome }, `worker deployment version ${what}`);
  } catch (err) {
    log.warn({ version: versionName(version), err: errorMessage(err) }, 'worker deployment version not settled');
  } finally {
    await client.connection.close();
  }
}

// What one cached payout costs the worker, measured by `npm run bench -- cache` (BENCHMARKS.md), rounded up.
const CACHED_PAYOUT_BYTES = 256 * 1024;
// The share of the heap the cache may take: the rest is for the workflow thread's other work, activities and GC.
const CACHE_SHARE_OF_HEAP = 1 / 3;

/** How many payouts a worker with this V8 heap can keep cached (the default of WORKER_MAX_CACHED_WORKFLOWS). */
export function cacheSizeForHeap(heapLimitBytes: number): number {
  return Math.max(50, Math.floor((heapLimitBytes * CACHE_SHARE_OF_HEAP) / CACHED_PAYOUT_BYTES));
}

/**
 * What keeps this process from doing its work, for /readyz: a Worker not running or whose pollers stopped, or a
 * server its connection cannot reach now (its polls would fail). Empty when every Worker is polling.
 */
export async function workerReadiness(workers: Worker[]): Promise<string[]> {
  const down = workers
    .filter((w) => {
      const s = w.getStatus();
      return s.runState !== 'RUNNING' || s.workflowPollerState !== 'POLLING' || s.activityPollerState !== 'POLLING';
    })
    .map((w) => `worker:${w.options.taskQueue}`);
  const connection = workers[0]?.connection;
  const reachable = await connection
    ?.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}))
    .then(
      () => true,
      () => false,
    );
  return reachable === false ? [...down, 'temporal'] : down;
}

/**
 * Runs the Workers until `stop()`. The payouts' Worker (the first) drains first and the others only after it: an
 * in-flight transfer waits on an Update of the day's budget, which the records' Worker serves. Stopped together,
 * the records' one was gone before the transfer's Update was served and the shutdown hung to its force time.
 */
export function runWorkers(workers: Worker[]): { done: Promise<void>; stop(): void } {
  const [first, ...rest] = workers;
  const stopRest = () => {
    for (const w of rest) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const runs = rest.map((w) => w.run());
  const firstRun = first ? first.run().finally(stopRest) : Promise.resolve(stopRest());
  return {
    done: Promise.all([firstRun, ...runs]).then(() => undefined),
    stop: () => {
      if (first?.getState() === 'RUNNING') first.shutdown();
      else stopRest();
    },
  };
}

async function main(): Promise<void> {
  const config = loadSections(WORKER_SECTIONS);
  installTemporalRuntime(logger, config.admin.sdkMetricsAddress, []);
  const tracing = installTracing(config.tracing, 'starkbank-payouts-worker');
  installStarkbankPatches(config.stark);
  const workers = await createWorkers(config, tracing);
  if (config.admin.payoutGauges)
    registerPayoutGauges(createTemporalClient(config.temporal), config.temporal.taskQueue, {
      pauseAlertAfter: config.admin.pauseAlertAfter,
      budget: { dailyMaxCents: config.guardrails.dailyMaxCents, timeZone: config.payoutDayTimeZone },
    });
  const admin = await startAdminServer({
    host: config.admin.host,
    port: config.admin.port,
    checkReady: () => workerReadiness(workers),
  });
  const codec = await startCodecServer(config, logger);
  const running = runWorkers(workers);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'worker shutting down');
      running.stop();
    });
  }
  // Before "started": a payout started while the first build is not yet current would wait for unversioned workers.
  await settleVersion(config, logger);
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      adminUrl: admin.url,
      codecUrl: codec?.url,
    },
    'worker started',
  );
  await running.done;
  // The runtime forwards sdk-core's logs for as long as a connection is open: close it, or the process stays.
  await workers[0]?.connection?.close();
  await admin.close();
  await codec?.close();
  await tracing.shutdown();
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err: errorMessage(err) }, 'worker failed');
    process.exit(1);
  });
}
