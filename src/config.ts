import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import type { Duration } from '@temporalio/common';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { MISSION_DESTINATION, type Destination } from './domain/destination';
import { isTimeZone } from './domain/businessDay';
import { errorMessage } from './shared/errors';
import type { PayloadCodec } from '@temporalio/common';
import { createPayloadCodec, parsePayloadKeys, type PayloadKey } from './temporal/payloadCodec';
import { createRemoteCodec } from './temporal/remoteCodec';
import { readStarkPrivateKey } from './shared/pem';

// Every setting of the product, read from the environment (and an optional `.env`).
// Temporal connection settings follow Temporal's own conventions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TLS variables, temporal.toml profiles) through @temporalio/envconfig.

const cents = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

// Temporal-style durations such as 90s, 15m, 3h, 1d.
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30s, 15m, 3h or 1d')
  .transform((v) => v as Duration);

// Any PEM form of a secp256k1 private key, handed on as the SEC1 PEM the SDK reads. Never echoed: a secret.
const privateKeyPem = z
  .string()
  .transform((text, ctx) => {
    const read = readStarkPrivateKey(text);
    if (read.ok) return read.pem;
    ctx.addIssue({ code: 'custom', message: `${read.problem} (the value is not shown)` });
    return z.NEVER;
  })
  .optional();

const envSchema = z.object({
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('starkbank-payouts'),
  // Secrets: parsed by loadPayloadKeys, which never echoes them.
  PAYLOAD_KEYS: optionalString,
  PAYLOAD_KEYS_FILE: optionalString,

  STARK_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  STARK_PROJECT_ID: optionalString,
  STARK_PRIVATE_KEY: privateKeyPem,
  STARK_PRIVATE_KEY_FILE: optionalString,
  STARK_WORKSPACE_ID: optionalString,
  STARK_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  STARK_LATE_COMMIT_MS: z.coerce.number().int().min(0).default(30_000),

  // When set, the SDK is pointed at the local emulator instead of Stark Bank (see src/emulator/README.md).
  STARK_EMULATOR_ADDRESS: optionalString,
  STARK_EMULATOR_CA_FILE: optionalString,

  PAYOUT_NAME: z.string().min(1).default(MISSION_DESTINATION.name),
  PAYOUT_TAX_ID: z.string().min(1).default(MISSION_DESTINATION.taxId),
  PAYOUT_BANK_CODE: z
    .string()
    .regex(/^\d{3,8}$/)
    .default(MISSION_DESTINATION.bankCode),
  PAYOUT_BRANCH_CODE: z.string().min(1).default(MISSION_DESTINATION.branchCode),
  PAYOUT_ACCOUNT_NUMBER: z.string().min(1).default(MISSION_DESTINATION.accountNumber),
  PAYOUT_ACCOUNT_TYPE: z.enum(['checking', 'savings', 'salary', 'payment']).default(MISSION_DESTINATION.accountType),
  PAYOUT_MAX_AMOUNT_CENTS: cents(1_000_000),
  PAYOUT_DAILY_MAX_CENTS: cents(10_000_000),
  PAYOUT_DAY_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'expected an IANA time zone such as America/Sao_Paulo')
    .default('America/Sao_Paulo'),

  ISSUANCE_SCHEDULE_ID: z.string().min(1).default('issue-invoices'),
  ISSUANCE_INTERVAL: duration.default('3h'),
  ISSUANCE_OVERLAP: z
    .enum(['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'])
    .default('SKIP'),
  ISSUANCE_CATCHUP_WINDOW: duration.default('1h'),
  ISSUANCE_MAX_RUNS: z.coerce.number().int().positive().optional(),
  ISSUANCE_END_AT: z.iso.datetime({ offset: true }).optional(),
  ISSUANCE_COUNT_MIN: z.coerce.number().int().min(1).max(1000).default(8),
  ISSUANCE_COUNT_MAX: z.coerce.number().int().min(1).max(1000).default(12),
  ISSUANCE_AMOUNT_MIN_CENTS: cents(1_000),
  ISSUANCE_AMOUNT_MAX_CENTS: cents(50_000),
  ISSUANCE_DUE_DAYS: z.coerce.number().int().min(1).max(365).default(2),

  SWEEP_INTERVAL: duration.default('15m'),
  RECONCILE_INTERVAL: duration.default('1h'),
  RECONCILE_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(90).default(3),
  NAMESPACE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),

  // Worker tuning: the cache bounds memory (each cached payout keeps its V8 state), the rest CPU.
  // Unset: sized from the worker's V8 heap (src/worker.ts).
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),

  // The admin port (metrics, readiness, the codec server): on the loopback unless told otherwise.
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // The codec server, on a port of its own: scraping /metrics must never reach it. Off unless a token or OIDC is set.
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
  // Secrets: the token the Web UI's codec endpoint carries (id web-ui), and id:token entries for operators and tools.
  CODEC_TOKEN: optionalString.refine((t) => t === undefined || t.length >= 16, {
    message: 'must be at least 16 characters (the value is not shown)',
  }),
  CODEC_TOKENS: optionalString,
  CODEC_TOKENS_FILE: optionalString,
  // Where the Web UI signs users in: the codec server checks the access token it forwards instead of a shared secret.
  CODEC_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  CODEC_OIDC_AUDIENCE: optionalString,
  CODEC_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233,http://127.0.0.1:8233,http://localhost:8080,http://127.0.0.1:8080')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  // The payout gauges count workflows in Temporal at scrape time: one process of a deployment serves them.
  PAYOUT_GAUGES: z.stringbool().default(false),
  // How long the pause switch may stay on before the PayoutsPausedTooLong alert fires (served as a gauge).
  PAYOUT_PAUSE_ALERT_AFTER: duration.default('1h'),
  SDK_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:]+:\d+$/, 'expected host:port')
    .optional(),
  // OpenTelemetry's own variable names: traces go to <endpoint>/v1/traces over OTLP/HTTP; off when unset.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: optionalString,

  WEBHOOK_HOST: z.string().default('0.0.0.0'),
  // The HTTPS address Stark Bank can reach (a tunnel or load balancer); `npm run dev` registers it.
  WEBHOOK_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WEBHOOK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the product reads itself (Temporal's own TEMPORAL_* connection variables come on top). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

export interface StarkConfig {
  environment: 'sandbox' | 'production';
  projectId: string;
  privateKey: string;
  workspaceId?: string;
  httpTimeoutMs: number;
  /** How long after a lost answer a late commit can still appear: a write's retry waits that long for it. */
  lateCommitMs: number;
  emulator?: { host: string; port: number; caPem: string };
}

export interface IssuanceConfig {
  scheduleId: string;
  interval: Duration;
  overlap: 'SKIP' | 'BUFFER_ONE' | 'BUFFER_ALL' | 'CANCEL_OTHER' | 'TERMINATE_OTHER' | 'ALLOW_ALL';
  catchupWindow: Duration;
  /** Stop after this many runs (the Stark Bank trial: 8 runs = 24 h). */
  maxRuns?: number;
  endAt?: string;
  count: { min: number; max: number };
  amountCents: { min: number; max: number };
  dueInDays: number;
}

export interface Config {
  /** How to reach Temporal, and the keys that encrypt workflow payloads (the first encrypts, all decrypt). */
  temporal: ClientConnectConfig & { taskQueue: string; payloadKeys: PayloadKey[] };
  stark: StarkConfig;
  destination: Destination;
  guardrails: { maxAmountCents: number; dailyMaxCents: number };
  /** Stark Bank's business day, for the daily maximum: the calendar day in this time zone. */
  payoutDayTimeZone: string;
  /** The retention setup gives the namespace when it is shorter (closed payouts are kept this long). */
  namespaceRetentionDays: number;
  webhook: { host: string; port: number; maxBodyBytes: number; publicUrl?: string };
  issuance: IssuanceConfig;
  recovery: { sweepInterval: Duration; reconcileInterval: Duration; lookbackDays: number };
  /** Worker options; unset ones keep the Temporal SDK's defaults. */
  worker: { maxCachedWorkflows?: number; maxConcurrentWorkflowTasks?: number; maxConcurrentActivities?: number };
  /** Where traces go (OTLP/HTTP), and the service name they carry (each entry point has a default). */
  tracing: { otlpEndpoint?: string; serviceName?: string };
  /** Where the process serves /metrics, /healthz, /readyz and the codec; where the SDK exports its metrics. */
  admin: {
    host: string;
    port: number;
    sdkMetricsAddress?: string;
    /** Whether this process serves the payout gauges (exactly one process of a deployment should). */
    payoutGauges: boolean;
    /** How long the pause switch may stay on before its alert fires. */
    pauseAlertAfter: Duration;
  };
  /** The codec server (its own port); absent when neither a token nor OIDC is configured. */
  codec?: CodecConfig;
}

export interface CodecToken {
  /** Who holds it, as logged for every decode; never the token. */
  id: string;
  token: string;
}

export interface CodecConfig {
  host: string;
  port: number;
  /** The Web UI's token (`web-ui`, CODEC_TOKEN) and one per operator or tool (CODEC_TOKENS). */
  tokens: CodecToken[];
  /** Access tokens of this OpenID Connect issuer, for this audience, are accepted too (the signed-in UI user's). */
  oidc?: { issuer: string; audience: string };
  /** Origins of the Web UI allowed to call it from a browser. */
  allowedOrigins: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Loads and validates the whole configuration; throws one ConfigError naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvWithDotenv()): Config {
  const parsed = envSchema
    .refine((e) => e.ISSUANCE_COUNT_MIN <= e.ISSUANCE_COUNT_MAX, {
      path: ['ISSUANCE_COUNT_MIN'],
      message: 'must not exceed ISSUANCE_COUNT_MAX',
    })
    .refine((e) => e.ISSUANCE_AMOUNT_MIN_CENTS <= e.ISSUANCE_AMOUNT_MAX_CENTS, {
      path: ['ISSUANCE_AMOUNT_MIN_CENTS'],
      message: 'must not exceed ISSUANCE_AMOUNT_MAX_CENTS',
    })
    .safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const payloadKeys = loadPayloadKeys(e, problems);
  const stark = loadStarkConfig(e, problems);
  const codec = loadCodecConfig(e, problems);
  if (!payloadKeys || !stark || problems.length > 0)
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return {
    temporal: { ...loadTemporalConnectConfig(env), taskQueue: e.TEMPORAL_TASK_QUEUE, payloadKeys },
    stark,
    destination: {
      name: e.PAYOUT_NAME,
      taxId: e.PAYOUT_TAX_ID,
      bankCode: e.PAYOUT_BANK_CODE,
      branchCode: e.PAYOUT_BRANCH_CODE,
      accountNumber: e.PAYOUT_ACCOUNT_NUMBER,
      accountType: e.PAYOUT_ACCOUNT_TYPE,
    },
    guardrails: { maxAmountCents: e.PAYOUT_MAX_AMOUNT_CENTS, dailyMaxCents: e.PAYOUT_DAILY_MAX_CENTS },
    payoutDayTimeZone: e.PAYOUT_DAY_TIME_ZONE,
    namespaceRetentionDays: e.NAMESPACE_RETENTION_DAYS,
    webhook: {
      host: e.WEBHOOK_HOST,
      port: e.WEBHOOK_PORT,
      maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
      publicUrl: e.WEBHOOK_PUBLIC_URL,
    },
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    admin: {
      host: e.ADMIN_HOST,
      port: e.ADMIN_PORT,
      sdkMetricsAddress: e.SDK_METRICS_ADDRESS,
      payoutGauges: e.PAYOUT_GAUGES,
      pauseAlertAfter: e.PAYOUT_PAUSE_ALERT_AFTER,
    },
    codec,
    worker: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    },
    recovery: {
      sweepInterval: e.SWEEP_INTERVAL,
      reconcileInterval: e.RECONCILE_INTERVAL,
      lookbackDays: e.RECONCILE_LOOKBACK_DAYS,
    },
    issuance: {
      scheduleId: e.ISSUANCE_SCHEDULE_ID,
      interval: e.ISSUANCE_INTERVAL,
      overlap: e.ISSUANCE_OVERLAP,
      catchupWindow: e.ISSUANCE_CATCHUP_WINDOW,
      maxRuns: e.ISSUANCE_MAX_RUNS,
      endAt: e.ISSUANCE_END_AT,
      count: { min: e.ISSUANCE_COUNT_MIN, max: e.ISSUANCE_COUNT_MAX },
      amountCents: { min: e.ISSUANCE_AMOUNT_MIN_CENTS, max: e.ISSUANCE_AMOUNT_MAX_CENTS },
      dueInDays: e.ISSUANCE_DUE_DAYS,
    },
  };
}

function loadStarkConfig(e: Env, problems: string[]): StarkConfig | undefined {
  const before = problems.length;
  if (!e.STARK_PROJECT_ID) problems.push('STARK_PROJECT_ID: required');
  let privateKey = e.STARK_PRIVATE_KEY;
  if (!privateKey && e.STARK_PRIVATE_KEY_FILE) {
    privateKey = readKeyFile(e.STARK_PRIVATE_KEY_FILE, problems);
  }
  if (!privateKey && !e.STARK_PRIVATE_KEY_FILE) {
    problems.push('STARK_PRIVATE_KEY or STARK_PRIVATE_KEY_FILE: required');
  }
  const emulator = e.STARK_EMULATOR_ADDRESS ? loadEmulator(e, problems) : undefined;
  if (emulator && e.STARK_ENVIRONMENT !== 'sandbox') {
    problems.push('STARK_EMULATOR_ADDRESS: the emulator stands in for the sandbox only (STARK_ENVIRONMENT=sandbox)');
  }
  if (problems.length > before || !e.STARK_PROJECT_ID || !privateKey) return undefined;
  return {
    environment: e.STARK_ENVIRONMENT,
    projectId: e.STARK_PROJECT_ID,
    privateKey,
    workspaceId: e.STARK_WORKSPACE_ID,
    httpTimeoutMs: e.STARK_HTTP_TIMEOUT_MS,
    lateCommitMs: e.STARK_LATE_COMMIT_MS,
    emulator,
  };
}

function readKeyFile(path: string, problems: string[]): string | undefined {
  let pem: string;
  try {
    pem = fs.readFileSync(path, 'utf8');
  } catch {
    problems.push(`STARK_PRIVATE_KEY_FILE: cannot read ${path}`);
    return undefined;
  }
  const read = readStarkPrivateKey(pem);
  if (!read.ok) {
    problems.push(`STARK_PRIVATE_KEY_FILE: ${path} ${read.problem}`);
    return undefined;
  }
  return read.pem;
}

function loadEmulator(e: Env, problems: string[]): StarkConfig['emulator'] {
  const match = /^([^:]+):(\d+)$/.exec(e.STARK_EMULATOR_ADDRESS ?? '');
  if (!match) {
    problems.push('STARK_EMULATOR_ADDRESS: expected host:port, e.g. 127.0.0.1:8443');
    return undefined;
  }
  if (!e.STARK_EMULATOR_CA_FILE) {
    problems.push('STARK_EMULATOR_CA_FILE: required with STARK_EMULATOR_ADDRESS (the emulator writes it at start)');
    return undefined;
  }
  try {
    const caPem = fs.readFileSync(e.STARK_EMULATOR_CA_FILE, 'utf8');
    return { host: match[1]!, port: Number(match[2]), caPem };
  } catch {
    problems.push(`STARK_EMULATOR_CA_FILE: cannot read ${e.STARK_EMULATOR_CA_FILE}`);
    return undefined;
  }
}

/** The codec server's settings: none without a token or an OIDC issuer. Never echoes a token. */
function loadCodecConfig(e: Env, problems: string[]): CodecConfig | undefined {
  const tokens: CodecToken[] = e.CODEC_TOKEN ? [{ id: 'web-ui', token: e.CODEC_TOKEN }] : [];
  let text = e.CODEC_TOKENS;
  if (text === undefined && e.CODEC_TOKENS_FILE) {
    try {
      text = fs.readFileSync(e.CODEC_TOKENS_FILE, 'utf8');
    } catch {
      problems.push(`CODEC_TOKENS_FILE: cannot read ${e.CODEC_TOKENS_FILE}`);
    }
  }
  const entries = (text ?? '')
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0 && !entry.startsWith('#'));
  entries.forEach((entry, i) => {
    const match = /^([A-Za-z0-9._-]{1,64}):(\S{16,})$/.exec(entry);
    if (match) tokens.push({ id: match[1]!, token: match[2]! });
    else problems.push(`CODEC_TOKENS: entry ${i + 1} is not id:<token of 16+ characters> (the value is not shown)`);
  });
  const ids = tokens.map((t) => t.id);
  if (new Set(ids).size !== ids.length) problems.push('CODEC_TOKENS: two tokens share an id (web-ui is CODEC_TOKEN)');
  if (e.CODEC_OIDC_ISSUER && !e.CODEC_OIDC_AUDIENCE) {
    problems.push('CODEC_OIDC_AUDIENCE: required with CODEC_OIDC_ISSUER (the audience its access tokens carry)');
  }
  const oidc =
    e.CODEC_OIDC_ISSUER && e.CODEC_OIDC_AUDIENCE
      ? { issuer: e.CODEC_OIDC_ISSUER, audience: e.CODEC_OIDC_AUDIENCE }
      : undefined;
  if (tokens.length === 0 && !oidc) return undefined;
  return { host: e.CODEC_HOST, port: e.CODEC_PORT, tokens, oidc, allowedOrigins: e.CODEC_CORS_ORIGINS };
}

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
  codecEndpoint: z.url({ protocol: /^https?$/ }),
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
  const taskQueue = envSchema.shape.TEMPORAL_TASK_QUEUE.safeParse(env.TEMPORAL_TASK_QUEUE);
  if (!taskQueue.success) throw new ConfigError(`Invalid configuration:\n  TEMPORAL_TASK_QUEUE: must not be empty`);
  const connect = loadTemporalConnectConfig(env);
  const endpoint = env.TEMPORAL_CODEC_ENDPOINT?.trim();
  if (endpoint) {
    const url = z.url({ protocol: /^https?$/ }).safeParse(endpoint.replace(/\/+$/, ''));
    if (!url.success)
      throw new ConfigError('Invalid configuration:\n  TEMPORAL_CODEC_ENDPOINT: expected an http(s) URL');
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
    if (!keys) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
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

/**
 * The payload keys, from PAYLOAD_KEYS or the file PAYLOAD_KEYS_FILE names. Without one the process does not
 * start: it would write payer data in clear, or be unable to read what others wrote. Never echoes a key.
 */
function loadPayloadKeys(
  e: Pick<Env, 'PAYLOAD_KEYS' | 'PAYLOAD_KEYS_FILE'>,
  problems: string[],
): PayloadKey[] | undefined {
  let name = 'PAYLOAD_KEYS';
  let text = e.PAYLOAD_KEYS;
  if (text === undefined && e.PAYLOAD_KEYS_FILE) {
    name = `PAYLOAD_KEYS_FILE (${e.PAYLOAD_KEYS_FILE})`;
    try {
      text = fs.readFileSync(e.PAYLOAD_KEYS_FILE, 'utf8');
    } catch {
      problems.push(`PAYLOAD_KEYS_FILE: cannot read ${e.PAYLOAD_KEYS_FILE}`);
      return undefined;
    }
  }
  if (text === undefined) {
    problems.push(
      'PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: required, they encrypt payer data in workflow history ' +
        '(make a key with npm run ops -- keys payload)',
    );
    return undefined;
  }
  try {
    return parsePayloadKeys(text);
  } catch (err) {
    problems.push(`${name}: ${errorMessage(err)}`);
    return undefined;
  }
}

/** The default of a setting as the schema declares it, for tools that show it without loading everything. */
export function settingDefault<K extends keyof Env>(name: K): Env[K] {
  return envSchema.shape[name].parse(undefined) as Env[K];
}

function loadTemporalConnectConfig(env: NodeJS.ProcessEnv): ClientConnectConfig {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const loaded = loadClientConnectConfig({ overrideEnvVars });
  return {
    connectionOptions: { ...loaded.connectionOptions, address: loaded.connectionOptions.address ?? 'localhost:7233' },
    namespace: loaded.namespace ?? 'default',
  };
}

function readEnvWithDotenv(): NodeJS.ProcessEnv {
  // .env fills gaps only; real environment variables win.
  dotenv.config({ quiet: true });
  return process.env;
}
