import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { spawnLogged, waitUntilReady } from './processes';

export interface WebUiOptions {
  ui: string;
  /** The UI's root: its config goes to `<root>/config/development.yaml`. */
  root: string;
  frontendAddress: string;
  port: number;
  namespace: string;
  /** The codec server the UI sends payloads to for display (the product's admin port), if any. */
  codecEndpoint?: string;
  logFile: string;
  signal?: AbortSignal;
}

/** The ui-server config: ours on 127.0.0.1, reaching the frontend over gRPC; both host spellings may call it. */
export function renderUiConfig(
  opts: Pick<WebUiOptions, 'frontendAddress' | 'port' | 'namespace' | 'codecEndpoint'>,
): string {
  return stringify({
    temporalGrpcAddress: opts.frontendAddress,
    host: '127.0.0.1',
    port: opts.port,
    enableUi: true,
    cors: { allowOrigins: [`http://127.0.0.1:${opts.port}`, `http://localhost:${opts.port}`] },
    defaultNamespace: opts.namespace,
    ...(opts.codecEndpoint ? { codec: { endpoint: opts.codecEndpoint } } : {}),
  });
}

/** Writes the config and starts the standalone Web UI; resolves once it answers HTTP. */
export async function startWebUi(opts: WebUiOptions): Promise<{ child: ChildProcess; url: string }> {
  const configDir = path.join(opts.root, 'config');
  await mkdir(configDir, { recursive: true });
  await writeFile(path.join(configDir, 'development.yaml'), renderUiConfig(opts));
  const child = spawnLogged(opts.ui, ['--root', opts.root, '--env', 'development', 'start'], opts.logFile);
  const url = `http://127.0.0.1:${opts.port}`;
  await waitUntilReady(async () => (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok, {
    what: 'the Web UI',
    child,
    logFile: opts.logFile,
    timeoutMs: 60_000,
    signal: opts.signal,
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { child, url };
}
