import { createEmulatorAgent } from '../../../src/starkbank/emulatorAgent';
import { MISSION_DESTINATION } from '../../../src/domain/destination';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { STARK_SANDBOX_HOST, type Emulator } from '../../../emulator';

/** Shape of the SDK's API errors (starkcore classes, not starkbank.error ones). */
interface StarkApiError {
  status?: number;
  errors?: { code: string; message: string }[];
}

/** Awaits a rejection and checks its HTTP status and (for 400) the error codes, in any order. */
export async function rejectsWith(promise: Promise<unknown>, status: number, codes?: string[]): Promise<StarkApiError> {
  const error = await promise.then(
    () => assert.fail(`expected an HTTP ${status} error`),
    (e: unknown) => e as StarkApiError,
  );
  assert.equal(error.status, status, `status of ${JSON.stringify(error)}`);
  if (codes) assert.deepEqual([...new Set((error.errors ?? []).map((e) => e.code))].sort(), [...codes].sort());
  return error;
}

/**
 * Everything an SDK `query` yields. Its typings promise an array, but it returns an async generator that pages
 * through the cursor, which is exactly what these tests exercise.
 */
export async function all<T>(query: Promise<T[]>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of (await query) as unknown as AsyncIterable<T>) items.push(item);
  return items;
}

export async function waitUntil<T>(
  read: () => T | undefined | false,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RawResponse {
  status: number;
  body: { errors?: { code: string; message: string }[] } & Record<string, unknown>;
}

/** A hand-made request to the emulator, for what the SDK never sends (bad signatures, stale times...). */
export function rawRequest(
  emulator: Emulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        method,
        path,
        host: STARK_SANDBOX_HOST,
        headers: { 'Content-Type': 'application/json', ...headers },
        agent: createEmulatorAgent({ port: emulator.port, caPem: emulator.caPem }),
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as RawResponse['body'] }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** The three Stark headers for `accessId:accessTime:body`, signed with `privateKeyPem`. */
export function starkHeaders(
  projectId: string,
  privateKeyPem: string,
  body: string,
  time?: string,
): Record<string, string> {
  const accessId = `project/${projectId}`;
  const accessTime = time ?? String(Math.round(Date.now() / 1000));
  const signature = crypto.sign('sha256', Buffer.from(`${accessId}:${accessTime}:${body}`), {
    key: privateKeyPem,
    dsaEncoding: 'der',
  });
  return { 'Access-Id': accessId, 'Access-Time': accessTime, 'Access-Signature': signature.toString('base64') };
}

export interface Delivery {
  body: string;
  signature: string;
  at: number;
}

/** A local webhook endpoint that records each POST and answers with `statusFor(index)` (200 by default). */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const index = this.deliveries.length;
      this.deliveries.push({ body, signature: String(req.headers['digital-signature']), at: Date.now() });
      res.statusCode = this.statusFor(index);
      res.end('ok');
    });
  });

  constructor(private readonly statusFor: (index: number) => number = () => 200) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook/starkbank`;
  }

  events(): { id: string; subscription: string; log: { type: string; invoice?: { id: string } } }[] {
    return this.deliveries.map(
      (d) => (JSON.parse(d.body) as { event: ReturnType<WebhookReceiver['events']>[number] }).event,
    );
  }

  waitFor(count: number, timeoutMs = 5_000): Promise<Delivery[]> {
    return waitUntil(() => this.deliveries.length >= count && this.deliveries, timeoutMs, `${count} deliveries`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// The mission's pinned account, the only destination the product ever pays.
export const PINNED_ACCOUNT = MISSION_DESTINATION;
