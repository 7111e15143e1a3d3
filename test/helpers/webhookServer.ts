import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createEventDispatcher } from '../../src/events/dispatch';
import { cachedRetention } from '../../src/temporal/namespace';
import { fetchStarkPublicKey } from '../../src/starkbank/sdkPatches';
import type { StarkUser } from '../../src/starkbank/user';
import { createWebhookApp, WEBHOOK_PATH } from '../../src/webhook/app';
import { createSignatureVerifier } from '../../src/webhook/signature';

export interface TestWebhook {
  url: string;
  close(): Promise<void>;
}

/** The real webhook app (real verifier, real dispatcher) listening on a free loopback port. */
export async function startTestWebhook(opts: {
  user: StarkUser;
  client: Client;
  taskQueue: string;
  maxBodyBytes?: number;
}): Promise<TestWebhook> {
  const verifier = createSignatureVerifier({ fetchPublicKey: () => fetchStarkPublicKey(opts.user) });
  const app = createWebhookApp({
    verifier,
    dispatcher: createEventDispatcher({
      client: opts.client,
      taskQueue: opts.taskQueue,
      retentionMs: cachedRetention(opts.client),
      temporalTimeoutMs: 2_000,
    }),
    logger: pino({ level: 'silent' }),
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Signs bytes the way Stark Bank signs webhook bodies (base64 DER ECDSA-SHA256). */
export function signBody(privateKeyPem: string, body: Buffer): string {
  return crypto.sign('sha256', body, { key: privateKeyPem, dsaEncoding: 'der' }).toString('base64');
}

export async function postWebhook(
  url: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, json };
}
