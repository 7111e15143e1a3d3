import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../config';
import { createPayloadCodec } from './payloadCodec';

/**
 * The codec server the Temporal Web UI calls to show encrypted payloads decoded (`POST <endpoint>/decode`, and
 * `/encode` for what it sends). Only the allowed origins may call it from a browser, and only with the token: in
 * an `Authorization: Bearer` header, or as the endpoint's last path segment, since the UI sends no header of its
 * own unless it has a login (`--ui-codec-endpoint http://127.0.0.1:9464/codec/<token>`).
 */

const wirePayload = z.object({
  metadata: z.record(z.string(), z.string()).nullish(),
  data: z.string().nullish(),
});
const wireBody = z.object({ payloads: z.array(wirePayload) });
type WirePayload = z.infer<typeof wirePayload>;

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Origins of the Web UI allowed to call it from a browser. */
  allowedOrigins: readonly string[];
}

/** The codec server's options from the configuration: none (no codec server) without CODEC_TOKEN. */
export function codecServerOptions(config: Config): CodecServerOptions | undefined {
  const codec = config.admin.codec;
  return codec && { ...codec, codec: createPayloadCodec(config.temporal.payloadKeys) };
}

export function createCodecRouter({ codec, token, allowedOrigins }: CodecServerOptions): Router {
  const router = express.Router();
  const expected = Buffer.from(token);
  const tokenMatches = (given: string | undefined) => {
    const bytes = Buffer.from(given ?? '');
    return bytes.length === expected.length && crypto.timingSafeEqual(bytes, expected);
  };

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
    next();
  });

  const handle = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const bearer = /^Bearer (.+)$/.exec(req.get('Authorization') ?? '')?.[1];
    const inPath = typeof req.params.token === 'string' ? req.params.token : undefined;
    if (!tokenMatches(inPath ?? bearer)) {
      res.status(401).json({ error: 'a codec token is required' });
      return;
    }
    const body = wireBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected {"payloads": [...]}' });
      return;
    }
    try {
      const payloads = await codec[direction](body.data.payloads.map(fromWire));
      res.json({ payloads: payloads.map(toWire) });
    } catch {
      // The reason may name a key id; the browser only needs to know it failed.
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

function fromWire(p: WirePayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toWire(p: Payload): WirePayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}
