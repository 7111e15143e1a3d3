import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stopProcess } from '../temporalServer';
import { resolveClusterBinaries } from './binaries';
import { stopLeftoverProcesses } from './leftovers';
import { lockDataDir } from './lock';
import { prepareNamespace } from './namespace';
import { busyPorts, clusterPorts, type ClusterPorts } from './ports';
import { postgresLocation, startPostgres, stopLeftoverPostgres } from './postgres';
import { ensureSchemas } from './schema';
import { startTemporalServer, writeServerConfig } from './server';
import { POSTGRES_PASSWORD, POSTGRES_USER } from './serverConfig';
import { startWebUi } from './webUi';

export interface ClusterOptions {
  /** Everything the cluster keeps: `postgres/` (PGDATA), `config/`, `ui/config/`, `logs/`. */
  dataDir: string;
  /** Frontend gRPC port; the server's other ports sit around it (see ports.ts). Default 7233. */
  port?: number;
  /** Web UI port. Default 8080. */
  uiPort?: number;
  /** PostgreSQL port, 5433 by default so a system PostgreSQL on 5432 can stay. */
  postgresPort?: number;
  /** History shards: honoured on the first start only, 4 by default. */
  historyShards?: number;
  /** Retention of the `default` namespace when it is created. Default 7 days. */
  retentionDays?: number;
  /** Dynamic config values on top of the product's, e.g. a benchmark's variant. */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  /** The codec server the Web UI decodes payloads with (the product's admin port); none by default. */
  codecEndpoint?: string;
  /** Build missing binaries with `go install` (minutes). Tests pass false and fail instead. Default true. */
  goInstall?: boolean;
  /** Progress lines; stderr by default. */
  log?: (message: string) => void;
  /** Aborts a start in progress; whatever already started is stopped again. */
  signal?: AbortSignal;
}

export interface LocalCluster {
  /** Frontend gRPC address, e.g. `127.0.0.1:7233`. */
  address: string;
  uiUrl: string;
  namespace: string;
  historyShards: number;
  ports: ClusterPorts;
  dataDir: string;
  /** Resolves with an error if the server or the Web UI exits on its own. */
  failed: Promise<Error>;
  /** The running server's and PostgreSQL's (postmaster's) process ids, e.g. to read their CPU from /proc. */
  pids(): { server: number; postgres: number };
  /** Stops the server gracefully and starts it again on the same config; resolves once it serves again. */
  restartServer(): Promise<void>;
  /** `pg_ctl stop -m fast` and start again on the same data, while the server keeps running. */
  restartPostgres(): Promise<void>;
  /** Stops the UI, the server, then PostgreSQL; the data stays for the next start. Safe to call twice. */
  stop(): Promise<void>;
}

export const CLUSTER_DEFAULTS = { port: 7233, uiPort: 8080, postgresPort: 5433, retentionDays: 7 } as const;
const NAMESPACE = 'default';

const defaultLog = (message: string): void => {
  process.stderr.write(`[cluster] ${message}\n`);
};

/**
 * A production-shaped Temporal on this machine: PostgreSQL persistence and visibility, the real server binary
 * with several history shards, the standalone Web UI, the `default` namespace with the product's search
 * attributes. A second start on the same data dir resumes it.
 */
export async function startCluster(options: ClusterOptions): Promise<LocalCluster> {
  const log = options.log ?? defaultLog;
  const root = path.resolve(options.dataDir);
  const ports = clusterPorts({
    frontend: options.port ?? CLUSTER_DEFAULTS.port,
    ui: options.uiPort ?? CLUSTER_DEFAULTS.uiPort,
    postgres: options.postgresPort ?? CLUSTER_DEFAULTS.postgresPort,
  });
  const logs = path.join(root, 'logs');
  const { signal } = options;

  const binaries = await resolveClusterBinaries({ goInstall: options.goInstall, log, signal });
  signal?.throwIfAborted();
  const release = await lockDataDir(root);
  // Undone in reverse order when a later step fails, and by stop().
  const stops: (() => Promise<void>)[] = [release];
  const children: { name: string; child: ChildProcess }[] = [];
  let stopping = false;
  // Where PostgreSQL's data and log are: in the data dir, unless its `postgres` account cannot reach it.
  let pgData = path.join(root, 'postgres');
  const stopAll = async () => {
    stopping = true;
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'the cluster did not stop cleanly');
  };

  try {
    const location = await postgresLocation(root, path.join(logs, 'postgres.log'), log);
    pgData = location.dataDir;
    // What a run killed before it could stop would hold our ports; the lock says that run is gone.
    await stopLeftoverProcesses(root, log);
    await stopLeftoverPostgres(pgData, log);
    const busy = await busyPorts(ports);
    if (busy.length > 0) throw new Error(`ports in use: ${busy.join(', ')}; pick others (see --help)`);
    // Written first: it refuses a shard count that differs from the one the data was created with.
    const serverOptions = {
      server: binaries.server,
      serverSources: binaries.serverSources,
      root,
      ports,
      historyShards: options.historyShards,
      dynamicConfig: options.dynamicConfig,
      logFile: path.join(logs, 'server.log'),
      signal,
    };
    const { historyShards } = await writeServerConfig(serverOptions);

    const postgresOptions = {
      ...location,
      port: ports.postgres,
      user: POSTGRES_USER,
      password: POSTGRES_PASSWORD,
      log,
    };
    // Replaced by restartPostgres(); the stop below always stops the current one.
    let postgres = await startPostgres(postgresOptions);
    stops.push(() => postgres.stop());
    log(`PostgreSQL on 127.0.0.1:${ports.postgres} (${postgres.binDir})`);
    signal?.throwIfAborted();

    await ensureSchemas({
      sqlTool: binaries.sqlTool,
      serverSources: binaries.serverSources,
      psql: path.join(postgres.binDir, 'psql'),
      port: ports.postgres,
      user: POSTGRES_USER,
      password: POSTGRES_PASSWORD,
      log,
    });
    signal?.throwIfAborted();

    log(`starting the Temporal server (${historyShards} history shards)…`);
    let server = await startTemporalServer(serverOptions);
    // SIGTERM starts the server's own graceful shutdown; SIGKILL only if that has not ended within 30 s.
    stops.push(() => stopProcess(server, 30_000));
    children.push({ name: 'the Temporal server', child: server });

    const address = `127.0.0.1:${ports.frontend}`;
    await prepareNamespace({
      address,
      namespace: NAMESPACE,
      retentionDays: options.retentionDays ?? CLUSTER_DEFAULTS.retentionDays,
      log,
      signal,
    });

    const ui = await startWebUi({
      ui: binaries.ui,
      root: path.join(root, 'ui'),
      frontendAddress: address,
      port: ports.ui,
      namespace: NAMESPACE,
      codecEndpoint: options.codecEndpoint,
      logFile: path.join(logs, 'ui.log'),
      signal,
    });
    stops.push(() => stopProcess(ui.child));
    children.push({ name: 'the Web UI', child: ui.child });

    let reportFailure: (error: Error) => void = () => undefined;
    const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
    // A process stopped on purpose by a restart is no failure.
    const replaced = new WeakSet<ChildProcess>();
    const watch = (name: string, child: ChildProcess) => {
      const exited = (how: number | string | null) => {
        if (!stopping && !replaced.has(child))
          reportFailure(new Error(`${name} exited on its own (${how}); see ${logs}`));
      };
      if (child.exitCode !== null || child.signalCode !== null) exited(child.exitCode ?? child.signalCode);
      else child.once('exit', (code, exitSignal) => exited(code ?? exitSignal));
    };
    for (const { name, child } of children) watch(name, child);
    let stopped: Promise<void> | undefined;
    return {
      address,
      uiUrl: ui.url,
      namespace: NAMESPACE,
      historyShards,
      ports,
      dataDir: root,
      failed,
      pids: () => ({ server: server.pid ?? -1, postgres: postmasterPid(pgData) }),
      async restartServer() {
        replaced.add(server);
        await stopProcess(server, 30_000);
        server = await startTemporalServer({ ...serverOptions, signal: undefined });
        watch('the Temporal server', server);
      },
      async restartPostgres() {
        await postgres.stop();
        postgres = await startPostgres(postgresOptions);
      },
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll().catch((stopError: unknown) => log(`cleaning up after a failed start: ${String(stopError)}`));
    throw error;
  }
}

/** The postmaster's pid: the first line of `postmaster.pid` in its data dir; -1 when it is not running. */
function postmasterPid(pgData: string): number {
  try {
    return Number(readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]) || -1;
  } catch {
    return -1;
  }
}
