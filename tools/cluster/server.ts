import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { grpc } from '@temporalio/proto';
import type { ClusterPorts } from './ports';
import { spawnLogged, waitUntilReady } from './processes';
import {
  DYNAMIC_CONFIG_FILE,
  renderDynamicConfig,
  renderServerConfig,
  SERVER_CONFIG_ENV,
  writtenHistoryShards,
} from './serverConfig';

export const DEFAULT_HISTORY_SHARDS = 4;

export interface ServerOptions {
  server: string;
  /** Holds the module's `config/` templates. */
  serverSources: string;
  /** The cluster's data dir: the server runs with `--root` here and reads `config/`. */
  root: string;
  ports: ClusterPorts;
  /** Used when the config is first written; later starts keep the written count. */
  historyShards?: number;
  /** Dynamic config values on top of the product's. */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  logFile: string;
  signal?: AbortSignal;
}

/**
 * Writes `config/` from the module's templates. The shard count is fixed by the first start (the server
 * persists it), so a config written before keeps its count and asking for another is an error.
 */
export async function writeServerConfig(opts: ServerOptions): Promise<{ historyShards: number }> {
  const configDir = path.join(opts.root, 'config');
  const configFile = path.join(configDir, `${SERVER_CONFIG_ENV}.yaml`);
  const dynamicFile = path.join(configDir, DYNAMIC_CONFIG_FILE);
  const written = existsSync(configFile) ? writtenHistoryShards(await readFile(configFile, 'utf8')) : undefined;
  if (written !== undefined && opts.historyShards !== undefined && opts.historyShards !== written) {
    throw new Error(
      `${opts.root} was created with ${written} history shards; the count is fixed at the first start ` +
        `(asked for ${opts.historyShards}). Start without --shards, or use a new --data-dir.`,
    );
  }
  const historyShards = written ?? opts.historyShards ?? DEFAULT_HISTORY_SHARDS;
  const templates = path.join(opts.serverSources, 'config');
  await mkdir(path.dirname(dynamicFile), { recursive: true });
  const dynamicTemplate = await readFile(path.join(templates, DYNAMIC_CONFIG_FILE), 'utf8');
  await writeFile(dynamicFile, renderDynamicConfig(dynamicTemplate, opts.ports, opts.dynamicConfig));
  const template = await readFile(path.join(templates, `${SERVER_CONFIG_ENV}.yaml`), 'utf8');
  await writeFile(
    configFile,
    renderServerConfig({ template, ports: opts.ports, historyShards, dynamicConfigPath: dynamicFile }),
  );
  return { historyShards };
}

const SERVING = grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;

/** What `temporal operator cluster health` asks: the frontend's gRPC health check for the workflow service. */
async function isServing(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const health = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
    return health.status === SERVING;
  } finally {
    await connection.close();
  }
}

/** Starts the server on the written config and resolves once its frontend reports SERVING. */
export async function startTemporalServer(opts: ServerOptions): Promise<ChildProcess> {
  // --allow-no-auth: a local cluster has no authorizer, and the server warns that later versions require the flag.
  const child = spawnLogged(
    opts.server,
    ['--root', opts.root, '--config', 'config', '--env', SERVER_CONFIG_ENV, '--allow-no-auth', 'start'],
    opts.logFile,
  );
  await waitUntilReady(() => isServing(`127.0.0.1:${opts.ports.frontend}`), {
    what: 'the Temporal server',
    child,
    logFile: opts.logFile,
    timeoutMs: 120_000,
    signal: opts.signal,
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return child;
}
