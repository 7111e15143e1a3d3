import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreeClusterPorts } from '../tools/cluster/ports';
import { startCluster } from '../tools/cluster/startCluster';
import { freePort, startDevServer, type DevServerOptions } from './devServer';
import { processCpuMs } from './procfs';

/** `dev`: `temporal server start-dev` as `npm run dev` runs it; `cluster`: the local cluster of `npm run cluster`. */
export type EngineName = 'dev' | 'cluster';
export const ENGINE_NAMES: readonly EngineName[] = ['dev', 'cluster'];

export interface EngineOptions {
  /** Dynamic config values on top of the product's (both engines). */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Dev server only: its SQLite file and pragmas (see DevServerOptions). */
  sqlite?: Pick<DevServerOptions, 'dbFile' | 'pragmas'>;
  /** Cluster only: history shards, 4 (as `npm run cluster`) when absent. */
  historyShards?: number;
}

/** A Temporal service the benchmarks and chaos runs start in a temp dir on free ports, and can restart. */
export interface Engine {
  name: EngineName;
  /** For reports, e.g. `cluster (server 1.29.1 on PostgreSQL, 4 history shards)`. */
  label: string;
  address: string;
  namespace: string;
  /** The engine's parts by name: `temporal` (the server), and `postgres` (the postmaster) on the cluster. */
  pids(): Record<string, number>;
  /** CPU ms each part has used so far; PostgreSQL's includes its backends. Counters start over at a restart. */
  cpuMs(): Record<string, number>;
  /** Stops the server and starts it again on the same data and port; resolves once it serves again. */
  restartServer(): Promise<void>;
  /** The cluster's PostgreSQL; absent on the dev server, whose SQLite lives inside the server process. */
  restartDatabase?: () => Promise<void>;
  /** Stops everything and deletes the temp data. */
  stop(): Promise<void>;
}

export function parseEngineName(value: string): EngineName {
  if (!(ENGINE_NAMES as readonly string[]).includes(value)) {
    throw new Error(`unknown engine ${value}; one of ${ENGINE_NAMES.join(', ')}`);
  }
  return value as EngineName;
}

export function startEngine(name: EngineName, opts: EngineOptions = {}): Promise<Engine> {
  return name === 'dev' ? startDevEngine(opts) : startClusterEngine(opts);
}

async function startDevEngine(opts: EngineOptions): Promise<Engine> {
  // A fixed port, so a restart keeps the address the worker and webhook already use.
  const server = await startDevServer({ ...opts.sqlite, dynamicConfig: opts.dynamicConfig, port: await freePort() });
  return {
    name: 'dev',
    label: `dev server (temporal server start-dev, SQLite${server.dbFile ? '' : ' in memory'})`,
    address: server.address,
    namespace: 'default',
    pids: () => ({ temporal: server.pid }),
    cpuMs: () => ({ temporal: processCpuMs(server.pid) }),
    restartServer: () => server.restart(),
    async stop() {
      await server.stop();
      if (server.dbFile) await rm(path.dirname(server.dbFile), { recursive: true, force: true });
    },
  };
}

async function startClusterEngine(opts: EngineOptions): Promise<Engine> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'engine-cluster-'));
  // As root, PostgreSQL runs as `postgres`, which must reach its data dir inside this one.
  await chmod(dataDir, 0o755);
  const ports = await findFreeClusterPorts();
  const cluster = await startCluster({
    dataDir,
    ...ports,
    historyShards: opts.historyShards,
    dynamicConfig: opts.dynamicConfig,
    // Benchmarks and chaos runs fail rather than spend minutes building: `npm run cluster:binaries` does that.
    goInstall: false,
    log: () => undefined,
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  void cluster.failed.then((error) => process.stderr.write(`[engine cluster] ${error.message}\n`));
  const pids = () => ({ temporal: cluster.pids().server, postgres: cluster.pids().postgres });
  return {
    name: 'cluster',
    label: `cluster (temporal-server on PostgreSQL, ${cluster.historyShards} history shards)`,
    address: cluster.address,
    namespace: cluster.namespace,
    pids,
    cpuMs: () => {
      const { temporal, postgres } = pids();
      return { temporal: processCpuMs(temporal), postgres: processCpuMs(postgres, { children: true }) };
    },
    restartServer: () => cluster.restartServer(),
    restartDatabase: () => cluster.restartPostgres(),
    async stop() {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
