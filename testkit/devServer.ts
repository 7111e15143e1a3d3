import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnTemporalServer, stopProcess } from '../tools/temporalServer';
import { resolveTemporalCliStrict } from '../tools/temporalCli';
import { dynamicConfigArgs, productDynamicConfig, searchAttributeArgs, sqlitePragmaArgs } from '../tools/devServerArgs';

export interface DevServerOptions {
  /** SQLite file; a fresh temp file when absent. `':memory:'` keeps everything in memory (no restart possible). */
  dbFile?: string;
  /** Fixed port, so a restart on the same file keeps the address the worker and webhook already use. */
  port?: number;
  /** SQLite pragmas (`key=value`); the product's WAL + synchronous=NORMAL when absent. */
  pragmas?: string[];
  /** `--dynamic-config-value KEY=VALUE` pairs on top of the product's, e.g. `history.shardIOConcurrency=8`. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Where the server serves its Prometheus metrics (`/metrics`); off when absent. */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  dbFile: string | undefined;
  pid: number;
  /** SIGTERM (SIGKILL after 10 s) and wait for exit. */
  stop(): Promise<void>;
  /** Stops and starts again on the same database file and port. */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Our own `temporal server start-dev` (not the shared test server), so benchmarks and chaos runs can pick the
 * SQLite pragmas and dynamic config, and restart it on its database file.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = await resolveTemporalCliStrict({ goInstall: false, log: () => undefined });
  const port = opts.port ?? (await freePort());
  const dbFile =
    opts.dbFile === ':memory:'
      ? undefined
      : (opts.dbFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-temporal-')), 'temporal.db'));
  const pragmas = opts.pragmas ? opts.pragmas.flatMap((p) => ['--sqlite-pragma', p]) : [...sqlitePragmaArgs];
  const dynamic = dynamicConfigArgs({ ...productDynamicConfig, ...opts.dynamicConfig });
  const args = [
    'server',
    'start-dev',
    ...(dbFile ? ['--db-filename', dbFile] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--log-level',
    'error',
    ...(opts.metricsPort ? ['--metrics-port', String(opts.metricsPort)] : []),
    ...searchAttributeArgs(),
    ...pragmas,
    ...dynamic,
  ];
  const address = `127.0.0.1:${port}`;
  let child = await spawnTemporalServer(cli.path, args, address);
  const server: DevServer = {
    address,
    dbFile,
    pid: child.pid ?? -1,
    stop: () => stopProcess(child),
    async restart() {
      await stopProcess(child);
      child = await spawnTemporalServer(cli.path, args, address);
      server.pid = child.pid ?? -1;
    },
  };
  return server;
}
