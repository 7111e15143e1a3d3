import crypto from 'node:crypto';
import { startAdminServer } from '../src/observability/adminServer';
import { createDataConverter } from '../src/temporal/client';
import { createPayloadCodec, generatePayloadKey, parsePayloadKeys } from '../src/temporal/payloadCodec';

/**
 * The payload key of this test, bench or chaos run (made at start, never written anywhere): every client, worker
 * and child process of the run gets it, as every process of a deployment gets the deployment's keys.
 */
export const RUN_PAYLOAD_KEYS = generatePayloadKey('run');

export const runDataConverter = createDataConverter(parsePayloadKeys(RUN_PAYLOAD_KEYS));

export interface RunCodecServer {
  /** What a Web UI is configured with: the codec server's URL with the token as its last path segment. */
  endpoint: string;
  token: string;
  close(): Promise<void>;
}

/** The product's admin server with only its codec, on a free loopback port, reading the run's payloads. */
export async function startRunCodecServer(allowedOrigins: string[]): Promise<RunCodecServer> {
  const token = crypto.randomBytes(24).toString('base64url');
  const admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    codec: { codec: createPayloadCodec(parsePayloadKeys(RUN_PAYLOAD_KEYS)), token, allowedOrigins },
  });
  return { endpoint: `${admin.url}/codec/${token}`, token, close: () => admin.close() };
}
