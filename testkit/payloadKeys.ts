import crypto from 'node:crypto';
import pino from 'pino';
import { createCodecAuthenticator } from '../src/temporal/codecAuth';
import { listenCodecServer } from '../src/temporal/codecServer';
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
  /** What the ops CLI is given (TEMPORAL_CODEC_ENDPOINT), with the token as a Bearer header. */
  codecUrl: string;
  token: string;
  close(): Promise<void>;
}

/** The product's codec server on a free loopback port, reading the run's payloads, for its Web UI and ops CLI. */
export async function startRunCodecServer(allowedOrigins: string[]): Promise<RunCodecServer> {
  const token = crypto.randomBytes(24).toString('base64url');
  const server = await listenCodecServer(
    { host: '127.0.0.1', port: 0 },
    {
      codec: createPayloadCodec(parsePayloadKeys(RUN_PAYLOAD_KEYS)),
      authenticate: createCodecAuthenticator({ tokens: [{ id: 'test-run', token }] }),
      allowedOrigins,
      logger: pino({ level: 'silent' }),
    },
  );
  return {
    endpoint: `${server.url}/codec/${token}`,
    codecUrl: `${server.url}/codec`,
    token,
    close: () => server.close(),
  };
}
