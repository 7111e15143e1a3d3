import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { resolveTemporalCliStrict } from './temporalCli';
import { devServerExtraArgs, searchAttributeArgs } from './devServerArgs';
import type { Logger } from '../src/observability/logger';

export interface LocalTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` with its Web UI, keeping its data in a SQLite file so a second run resumes
 * where the first stopped. `--search-attribute` applies only when it creates the namespace: setup adds any the
 * product gained since.
 */
export async function startLocalTemporal(opts: {
  dataDir: string;
  port: number;
  uiPort: number;
  /** Where the Web UI decodes encrypted payloads (the product's codec server). */
  codecEndpoint?: string;
  logger: Logger;
}): Promise<LocalTemporal> {
  const cli = await resolveTemporalCliStrict({ log: (m) => opts.logger.info(m) });
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(opts.dataDir, 'temporal.db'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
    '--log-level',
    'warn',
    ...searchAttributeArgs(),
    ...devServerExtraArgs,
  ];
  const address = `127.0.0.1:${opts.port}`;
  const child = await spawnTemporalServer(cli.path, args, address);
  return {
    address,
    uiUrl: `http://localhost:${opts.uiPort}`,
    stop: () => stopProcess(child),
  };
}

/** Spawns `temporal server …` and resolves once it serves the default namespace (not just RPCs). */
export async function spawnTemporalServer(exe: string, args: string[], address: string): Promise<ChildProcess> {
  const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with ${child.exitCode}:\n${stderr}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      return child;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`temporal server not reachable at ${address}`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs` (10 s by default); resolves when the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
