import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response, type Router } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import type { TemporalConfig } from './client';
import type { Logger } from '../observability/logger';
import { createCodecAuthenticator, type CodecAuthenticator, type CodecConfig } from './codecAuth';
import { createPayloadCodec } from './payloadCodec';
import { fromWire, toWire, wirePayloads } from './remoteCodec';

/**
 * The codec server: `POST /codec/decode` and `/codec/encode`, which the Temporal Web UI calls from the browser
 * to show payloads decoded, and the operator CLI calls so that operators never hold the payload keys. It listens
 * on a port of its own (CODEC_PORT), never beside /metrics, so whatever may scrape metrics cannot reach it.
 *
 * Who may call: the holder of a token (an `Authorization: Bearer` header, or the endpoint's last path segment,
 * since the Web UI without a login sends no header: `…/codec/<token>`), or a user whose OpenID Connect access
 * token verifies (the Web UI forwards it with TEMPORAL_CODEC_PASS_ACCESS_TOKEN). Browsers only from the allowed
 * origins. Every call is logged with who asked (token id or user) and how many payloads, never a token.
 */

export interface CodecServerOptions {
  codec: PayloadCodec;
  authenticate: CodecAuthenticator;
  /** Origins of the Web UI allowed to call it from a browser. */
  allowedOrigins: readonly string[];
  logger: Pick<Logger, 'info' | 'warn'>;
}

export interface RunningCodecServer {
  /** Its base URL; the endpoint is `<url>/codec`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the codec server the configuration asks for; none (undefined) without a token or OIDC issuer. */
export async function startCodecServer(
  config: { codec?: CodecConfig; temporal: Pick<TemporalConfig, 'payloadKeys'> },
  logger: CodecServerOptions['logger'],
): Promise<RunningCodecServer | undefined> {
  if (!config.codec) return undefined;
  return listenCodecServer(config.codec, {
    codec: createPayloadCodec(config.temporal.payloadKeys),
    authenticate: createCodecAuthenticator(config.codec),
    allowedOrigins: config.codec.allowedOrigins,
    logger,
  });
}

export async function listenCodecServer(
  where: Pick<CodecConfig, 'host' | 'port'>,
  opts: CodecServerOptions,
): Promise<RunningCodecServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use('/codec', createCodecRouter(opts));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(where.port, where.host, () => resolve(s)).once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = where.host === '0.0.0.0' ? '127.0.0.1' : where.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function createCodecRouter({ codec, authenticate, allowedOrigins, logger }: CodecServerOptions): Router {
  const router = express.Router();

  router.use((req, res, next) => {
    const origin = req.get('Origin');
    if (origin && allowedOrigins.includes(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Allow-Credentials': 'true',
        Vary: 'Origin',
      });
    }
    if (req.method === 'OPTIONS') {
      res.status(origin && allowedOrigins.includes(origin) ? 204 : 403).end();
      return;
    }
    // A page of another origin gets no CORS headers, so its browser never shows it the answer; refuse it anyway.
    if (origin && !allowedOrigins.includes(origin)) {
      res.status(403).json({ error: 'origin not allowed' });
      return;
    }
    next();
  });

  const handle = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const bearer = /^Bearer (.+)$/.exec(req.get('Authorization') ?? '')?.[1];
    const inPath = typeof req.params.token === 'string' ? req.params.token : undefined;
    const caller = await authenticate(bearer ?? inPath);
    const namespace = req.get('X-Namespace');
    if (!caller) {
      logger.warn({ direction, namespace }, 'codec: refused a caller without a valid token');
      res.status(401).json({ error: 'a codec token or a signed-in user is required' });
      return;
    }
    const body = wirePayloads.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected {"payloads": [...]}' });
      return;
    }
    const who = `${caller.kind}:${caller.id}`;
    try {
      const payloads = await codec[direction](body.data.payloads.map(fromWire));
      logger.info({ who, direction, payloads: payloads.length, namespace }, `codec: ${direction}`);
      res.json({ payloads: payloads.map(toWire) });
    } catch {
      logger.warn({ who, direction, payloads: body.data.payloads.length, namespace }, `codec: cannot ${direction}`);
      // The reason may name a key id; the caller only needs to know it failed.
      res.status(422).json({ error: `cannot ${direction} these payloads with this deployment's keys` });
    }
  };

  const json = express.json({ limit: '4mb' });
  for (const direction of ['encode', 'decode'] as const) {
    router.post(`/${direction}`, json, handle(direction));
    router.post(`/:token/${direction}`, json, handle(direction));
  }
  return router;
}
