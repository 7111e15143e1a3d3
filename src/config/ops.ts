import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PayloadCodec } from '@temporalio/common';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import { createPayloadCodec } from '../temporal/payloadCodec';
import { createRemoteCodec } from '../temporal/remoteCodec';
import { ConfigError, httpUrl } from './fields';
import { loadPayloadKeys, loadTemporalConnectConfig, taskQueueSchema } from './temporal';

// The operator CLI's settings: Temporal and how to read payloads, nothing of Stark Bank.

/** What the operator CLI needs from Temporal: where it is, and how payloads are encrypted and decrypted. */
export interface OpsTemporalConfig extends ClientConnectConfig {
  taskQueue: string;
  /**
   * The codec of every payload the command reads or writes: the deployment's codec server (keys stay there), the
   * payload keys themselves when given, or one that refuses, for commands that read search attributes only.
   */
  payloadCodec: PayloadCodec;
  /** Where payloads are decoded, for messages: a URL or "PAYLOAD_KEYS", never a secret. */
  payloadsVia: string;
}

/** Where `npm run dev` records how to reach it, relative to the directory it ran in (its default data dir). */
export const LOCAL_DEV_FILE = '.data/dev.json';

const localDevSchema = z.object({
  temporalAddress: z.string().min(1),
  namespace: z.string().min(1),
  taskQueue: z.string().min(1),
  codecEndpoint: httpUrl(),
  codecTokenFile: z.string().min(1),
});
export type LocalDev = z.infer<typeof localDevSchema>;

/**
 * The operator CLI's Temporal settings. Payloads go through the codec server named by Temporal's own variables
 * (TEMPORAL_CODEC_ENDPOINT, TEMPORAL_CODEC_AUTH, as `temporal --codec-endpoint` reads them), so an operator's
 * machine never holds the payload keys; PAYLOAD_KEYS still works for automation that holds them anyway. In a
 * checkout where `npm run dev` runs, it finds that run (LOCAL_DEV_FILE) when nothing else says where to go.
 * `payloads: false` is for commands that read search attributes only: they need neither.
 */
export function loadOpsTemporalConfig(
  opts: { payloads: boolean },
  rawEnv: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): OpsTemporalConfig {
  const env = { ...localDevEnv(rawEnv, cwd), ...withoutUndefined(rawEnv) };
  const taskQueue = taskQueueSchema.safeParse(env.TEMPORAL_TASK_QUEUE);
  if (!taskQueue.success) throw ConfigError.of(['TEMPORAL_TASK_QUEUE: must not be empty']);
  const connect = loadTemporalConnectConfig(env);
  const endpoint = env.TEMPORAL_CODEC_ENDPOINT?.trim();
  if (endpoint) {
    const url = httpUrl().safeParse(endpoint.replace(/\/+$/, ''));
    if (!url.success) throw ConfigError.of(['TEMPORAL_CODEC_ENDPOINT: expected an http(s) URL']);
    const payloadCodec = createRemoteCodec({
      endpoint: url.data,
      authorization: env.TEMPORAL_CODEC_AUTH?.trim() || undefined,
      namespace: connect.namespace ?? 'default',
    });
    return {
      ...connect,
      taskQueue: taskQueue.data,
      payloadCodec,
      payloadsVia: url.data.replace(/\/codec\/[^/]+$/, '/codec/…'),
    };
  }
  if (env.PAYLOAD_KEYS !== undefined || env.PAYLOAD_KEYS_FILE) {
    const problems: string[] = [];
    const keys = loadPayloadKeys(
      { PAYLOAD_KEYS: env.PAYLOAD_KEYS, PAYLOAD_KEYS_FILE: env.PAYLOAD_KEYS_FILE },
      problems,
    );
    if (problems.length > 0) throw ConfigError.of(problems);
    return {
      ...connect,
      taskQueue: taskQueue.data,
      payloadCodec: createPayloadCodec(keys),
      payloadsVia: 'PAYLOAD_KEYS',
    };
  }
  if (opts.payloads) {
    throw new ConfigError(
      "This command reads or writes workflow payloads, which are encrypted. Point it at the deployment's codec " +
        "server: TEMPORAL_CODEC_ENDPOINT=https://<codec host>/codec TEMPORAL_CODEC_AUTH='Bearer <your token>' " +
        '(docs/operations.md); or run it in the checkout of a running `npm run dev`.',
    );
  }
  return { ...connect, taskQueue: taskQueue.data, payloadCodec: refusingCodec, payloadsVia: 'none' };
}

/** For commands that read search attributes only: a payload to encode or decode is a bug, never a clear write. */
const refusingCodec: PayloadCodec = {
  encode: () => Promise.reject(new ConfigError('this command has no access to payloads')),
  decode: () => Promise.reject(new ConfigError('this command has no access to payloads')),
};

/**
 * What a running `npm run dev` in `cwd` recorded, as variables, when the environment points nowhere else: no
 * codec or keys of its own, and no other Temporal address than the one the run uses.
 */
function localDevEnv(env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  if (env.TEMPORAL_CODEC_ENDPOINT || env.PAYLOAD_KEYS !== undefined || env.PAYLOAD_KEYS_FILE) return {};
  let local: LocalDev;
  try {
    local = localDevSchema.parse(JSON.parse(fs.readFileSync(path.resolve(cwd, LOCAL_DEV_FILE), 'utf8')));
  } catch {
    return {};
  }
  if (env.TEMPORAL_ADDRESS && env.TEMPORAL_ADDRESS !== local.temporalAddress) return {};
  let token: string;
  try {
    token = fs.readFileSync(path.resolve(cwd, local.codecTokenFile), 'utf8').trim();
  } catch {
    return {};
  }
  return {
    TEMPORAL_ADDRESS: local.temporalAddress,
    TEMPORAL_NAMESPACE: local.namespace,
    TEMPORAL_TASK_QUEUE: local.taskQueue,
    TEMPORAL_CODEC_ENDPOINT: local.codecEndpoint,
    TEMPORAL_CODEC_AUTH: `Bearer ${token}`,
  };
}

function withoutUndefined(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
