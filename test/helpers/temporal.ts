import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { resolveTemporalCli } from '../../tools/temporalCli';
import { dynamicConfigArgs, productDevServerArgs } from '../../tools/devServerArgs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import { recordsTaskQueue } from '../../src/temporal/taskQueues';
import { failureConverterPath } from '../../src/temporal/client';
import { installTracing, tracingPlugin, workflowInterceptorModules } from '../../src/observability/tracing';
import { findFreeClusterPorts } from '../../tools/cluster/ports';
import { startCluster } from '../../tools/cluster/startCluster';
import { runDataConverter, startRunCodecServer, type RunCodecServer } from '../../testkit/payloadKeys';
import { registerTeardown } from '../setup/root-hooks';
import { freePort } from '../../testkit/devServer';

/** Tracing as a deployment without an OTLP endpoint has it: nothing registered, nothing recorded. */
const untraced = installTracing({}, 'test');

/** Generous: the first call starts the dev server (a few seconds) and later calls are instant. */
export const TEST_ENV_TIMEOUT_MS = 60_000;

// Worker lifecycle lines (INFO) and the activity failures tests inject on purpose (WARN) drown test output.
// Installed on import, before any Worker or connection exists; TEMPORAL_TEST_LOG_LEVEL=WARN shows them again.
// sdk-core's own logs are forwarded to the same logger, so they are filtered and formatted like the rest.
const testLogLevel = (process.env.TEMPORAL_TEST_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR';
Runtime.install({
  logger: new DefaultLogger(testLogLevel),
  telemetryOptions: { logging: { filter: { core: testLogLevel, other: 'ERROR' }, forward: {} } },
});

let envPromise: Promise<TestWorkflowEnvironment> | undefined;
let uiUrl: string | undefined;
let stopEngine: (() => Promise<void>) | undefined;
let codecServer: RunCodecServer | undefined;

/** The engine the suites run on: `dev` (temporal server start-dev, the default) or `cluster` (npm run cluster). */
export const TEST_ENGINE = process.env.TEST_ENGINE === 'cluster' ? 'cluster' : 'dev';

async function createEnv(): Promise<TestWorkflowEnvironment> {
  return TEST_ENGINE === 'cluster' ? createClusterEnv() : createDevServerEnv();
}

/**
 * The production-shaped engine: PostgreSQL, the real server with several history shards, the standalone Web UI,
 * in a throw-away data dir, provisioned by the product's own setup (search attributes) as a deployment is.
 */
async function createClusterEnv(): Promise<TestWorkflowEnvironment> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'test-cluster-'));
  // As root, PostgreSQL runs as `postgres`, which must reach its data dir inside this one.
  await chmod(dataDir, 0o755);
  const ports = await findFreeClusterPorts();
  const codec = await startCodecServerFor(ports.uiPort);
  const cluster = await startCluster({
    dataDir,
    ...ports,
    codecEndpoint: codec.endpoint,
    goInstall: false,
    log: () => undefined,
  });
  stopEngine = async () => {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: cluster.address,
    client: { dataConverter: runDataConverter },
  });
  await provisionDeployment(env.client, { taskQueue: 'test-provision', retentionDays: 7 });
  uiUrl = cluster.uiUrl;
  process.stderr.write(
    `[test] engine: local cluster (PostgreSQL, ${cluster.historyShards} shards) at ${cluster.address}\n`,
  );
  return env;
}

async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  // Tests never build the CLI (minutes; would blow hook timeouts): CI runs `npm run temporal:cli` first.
  const cli = await resolveTemporalCli({ goInstall: false });
  const started = Date.now();
  // The embedded Web UI (browser tests use it) starts with the server and costs next to nothing.
  const uiPort = await freePort();
  const codec = await startCodecServerFor(uiPort);
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      client: { dataConverter: runDataConverter },
      server: {
        ...(cli.path ? { executable: { type: 'existing-path' as const, path: cli.path } } : {}),
        ui: true,
        uiPort,
        // The product's own flags (search attributes + SQLite pragmas), so tests prove what `npm run dev` uses,
        // plus a short queue ack interval, so a deleted workflow (as retention deletes it) is gone in seconds.
        extraArgs: [
          '--ui-codec-endpoint',
          codec.endpoint,
          ...productDevServerArgs(),
          ...dynamicConfigArgs({ 'history.transferProcessorUpdateAckInterval': '1s' }),
        ],
      },
    });
    uiUrl = `http://127.0.0.1:${uiPort}`;
    if (process.env.TEMPORAL_TEST_VERBOSE) {
      process.stderr.write(`[test] dev server (${cli.source}) up in ${Date.now() - started} ms, UI ${uiUrl}\n`);
    }
    return env;
  } catch (error) {
    const hint = cli.path
      ? `with ${cli.path} (${cli.source})`
      : 'via the SDK download (no local CLI; offline? run `npm run temporal:cli` or set TEMPORAL_CLI_PATH)';
    throw new Error(`could not start the Temporal dev server ${hint}`, { cause: error });
  }
}

/** The run's codec server, as the product's admin port serves it, for the Web UI on `uiPort` (browser tests). */
async function startCodecServerFor(uiPort: number): Promise<RunCodecServer> {
  codecServer = await startRunCodecServer([`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`]);
  return codecServer;
}

/** One Temporal per test run (TEST_ENGINE picks which), started on first use, torn down by the root `afterAll` hook. */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  if (!envPromise) {
    const promise = createEnv();
    envPromise = promise;
    registerTeardown('temporal dev server', async () => {
      envPromise = undefined;
      uiUrl = undefined;
      const env = await promise.catch(() => undefined);
      await env?.teardown();
      await stopEngine?.();
      stopEngine = undefined;
      await codecServer?.close();
      codecServer = undefined;
    });
  }
  return envPromise;
}

/** The run's codec server (the one its Web UI uses), for processes that decode without the keys (ops). */
export async function getTestCodecServer(): Promise<RunCodecServer> {
  await getTestEnv();
  if (!codecServer) throw new Error('the test engine started without its codec server');
  return codecServer;
}

/** Base URL of the shared dev server's Web UI (e.g. `http://127.0.0.1:41234`); starts the server if needed. */
export async function getTestUiUrl(): Promise<string> {
  await getTestEnv();
  if (!uiUrl) throw new Error('the Temporal dev server started without its Web UI');
  return uiUrl;
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundling takes seconds, so each workflows module is bundled once per run and shared by every test. */
export function getWorkflowBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      failureConverterPath,
      workflowInterceptorModules,
      logger: new DefaultLogger('WARN'),
    });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export type WithWorkerOptions = Partial<Omit<WorkerOptions, 'connection' | 'namespace' | 'workflowBundle'>> & {
  workflowsPath?: string;
};

export interface WorkerContext {
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  worker: Worker;
}

/**
 * Runs a Worker on the shared dev server (own task queue unless given) for as long as `fn` runs, then shuts it
 * down, with a second one on the queue of its records (decision records, pause switch, budgets), as the worker
 * process runs them. `workflowsPath` is served from the shared bundle cache.
 */
export async function withWorker<T>(options: WithWorkerOptions, fn: (ctx: WorkerContext) => Promise<T>): Promise<T> {
  const env = await getTestEnv();
  const { workflowsPath, taskQueue = uniqueId('tq'), ...rest } = options;
  const create = async (queue: string) =>
    Worker.create({
      // The bundle carries the tracing interceptors, as the worker's does; their spans are dropped unless a test
      // passes a plugin of its own.
      plugins: [tracingPlugin(untraced)],
      ...rest,
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: queue,
      dataConverter: runDataConverter,
      ...(workflowsPath ? { workflowBundle: await getWorkflowBundle(workflowsPath) } : {}),
    });
  const [worker, records] = await Promise.all([create(taskQueue), create(recordsTaskQueue(taskQueue))]);
  const running = fn({ env, client: env.client, taskQueue, worker: worker });
  const [result] = await Promise.all([worker.runUntil(running), records.runUntil(running.catch(() => undefined))]);
  return result;
}

/** Polls until `check` returns a value other than undefined; visibility (list/count) lags writes slightly. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 200, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
