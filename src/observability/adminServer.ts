import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Registry } from 'prom-client';
import { registry as processRegistry } from './metrics';

export interface AdminServerOptions {
  host: string;
  port: number;
  /** The dependencies that are down, by name (none: ready). Never raw error text: it can name hosts or keys. */
  checkReady?: () => Promise<string[]>;
  /** What /metrics serves: the process's registry unless given another. */
  registry?: Registry;
}

export interface RunningAdminServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * What the platform uses, on its own port, bound to the loopback unless told otherwise: /metrics, /healthz and
 * /readyz. The public webhook port serves none of it, and the codec server has a port of its own (codecServer.ts):
 * whatever scrapes metrics cannot reach it.
 */
export async function startAdminServer(opts: AdminServerOptions): Promise<RunningAdminServer> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const registry = opts.registry ?? processRegistry;
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/readyz', async (_req, res) => {
    const down = (await opts.checkReady?.()) ?? [];
    res
      .status(down.length === 0 ? 200 : 503)
      .json(down.length === 0 ? { status: 'ready' } : { status: 'not ready', down });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(opts.port, opts.host, () => resolve(s)).once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
