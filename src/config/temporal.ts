import { z } from 'zod';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { parsePayloadKeys, USE_EXISTING_KEYS, type PayloadKey } from '../temporal/payloadCodec';
import { errorMessage } from '../shared/errors';
import { duration, optionalString, readSettingFile } from './fields';
import { defineSection } from './section';

// Temporal's own connection variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS, temporal.toml
// profiles) are read by @temporalio/envconfig; these are the product's.
const schema = z.object({
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('starkbank-payouts'),
  // Secrets: parsed by loadPayloadKeys, which never echoes them.
  PAYLOAD_KEYS: optionalString,
  PAYLOAD_KEYS_FILE: optionalString,
  NAMESPACE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  // Worker tuning: the cache bounds memory (each cached payout keeps its V8 state), the rest CPU.
  // Unset: sized from the worker's V8 heap (src/worker.ts).
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),
  // On SIGTERM in-flight activities get the grace to finish before they are cancelled; past the force time (from
  // SIGTERM too) the worker gives up and exits. Below the orchestrator's kill grace (30 s: compose, Kubernetes).
  WORKER_SHUTDOWN_GRACE_TIME: duration.default('20s'),
  WORKER_SHUTDOWN_FORCE_TIME: duration.default('25s'),
  // Worker Versioning (docs/operations.md, "Deploy and roll back"): the workers of one build are one version of a
  // Worker Deployment. Off for a server without it (before 1.28); the deployment is named after the task queue.
  WORKER_VERSIONING: z.stringbool().default(true),
  // Server 1.29 joins name and build id with '.' or ':' in places: a name holds neither.
  WORKER_DEPLOYMENT_NAME: optionalString.refine((v) => v === undefined || /^[^.:\s]{1,200}$/.test(v), {
    message: "no '.', ':' or spaces",
  }),
  // Unset: <package version>+<git sha>, or the prebuilt bundle's hash where there is no git (src/worker.ts).
  WORKER_BUILD_ID: optionalString.refine((v) => v === undefined || /^[\w.+-]{1,255}$/.test(v), {
    message: 'letters, digits and . + - _ only',
  }),
});

export const temporalSection = defineSection(schema, (e, problems, env) => ({
  /** How to reach Temporal, and the keys that encrypt workflow payloads (the first encrypts, all decrypt). */
  temporal: {
    ...loadTemporalConnectConfig(env),
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    payloadKeys: loadPayloadKeys(e, problems),
  },
  /** The retention setup gives the namespace when it is shorter (closed payouts are kept this long). */
  namespaceRetentionDays: e.NAMESPACE_RETENTION_DAYS,
  /** Worker options; unset ones keep the Temporal SDK's defaults. */
  worker: {
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    shutdownGraceTime: e.WORKER_SHUTDOWN_GRACE_TIME,
    shutdownForceTime: e.WORKER_SHUTDOWN_FORCE_TIME,
    versioning: {
      enabled: e.WORKER_VERSIONING,
      deploymentName: e.WORKER_DEPLOYMENT_NAME ?? e.TEMPORAL_TASK_QUEUE,
      buildId: e.WORKER_BUILD_ID,
    },
  },
}));

export const taskQueueSchema = schema.shape.TEMPORAL_TASK_QUEUE;

/**
 * The payload keys, from PAYLOAD_KEYS or the file PAYLOAD_KEYS_FILE names. Without one the process does not
 * start: it would write payer data in clear, or be unable to read what others wrote. Never echoes a key.
 */
export function loadPayloadKeys(
  e: { PAYLOAD_KEYS?: string; PAYLOAD_KEYS_FILE?: string },
  problems: string[],
): PayloadKey[] {
  let name = 'PAYLOAD_KEYS';
  let text = e.PAYLOAD_KEYS;
  if (text === undefined && e.PAYLOAD_KEYS_FILE) {
    name = `PAYLOAD_KEYS_FILE (${e.PAYLOAD_KEYS_FILE})`;
    text = readSettingFile('PAYLOAD_KEYS_FILE', e.PAYLOAD_KEYS_FILE, problems);
    if (text === undefined) return [];
  }
  if (text === undefined) {
    problems.push(
      `PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: required, they encrypt payer data in workflow history; ${USE_EXISTING_KEYS}`,
    );
    return [];
  }
  try {
    return parsePayloadKeys(text);
  } catch (err) {
    problems.push(`${name}: ${errorMessage(err)}`);
    return [];
  }
}

export function loadTemporalConnectConfig(env: NodeJS.ProcessEnv): ClientConnectConfig {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const loaded = loadClientConnectConfig({ overrideEnvVars });
  return {
    connectionOptions: { ...loaded.connectionOptions, address: loaded.connectionOptions.address ?? 'localhost:7233' },
    namespace: loaded.namespace ?? 'default',
  };
}
