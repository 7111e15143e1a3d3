import os from 'node:os';
import { isGrpcDeadlineError, type Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Command } from 'commander';
import { loadOpsTemporalConfig, type OpsTemporalConfig } from '../config';
import type { TemporalConfig } from '../temporal/client';
import { createPayloadCodec } from '../temporal/payloadCodec';
import { createTemporalClient } from '../temporal/client';
import { CliError } from './output';
import { errorMessage } from '../shared/errors';

/** How long a command may wait on Temporal unless `--timeout` says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

export interface CommandNeeds {
  /** The command (for the global `--timeout`). */
  cmd: Command;
  /** Why it waits on a worker ("the sweep runs on a worker"): without one polling, it is refused at once. */
  worker?: string;
  /** Its own default when longer work is expected (a workflow run). */
  defaultTimeoutSeconds?: number;
  /** Another configuration than the Temporal variables alone (commands that load the full one). */
  temporal?: TemporalConfig;
  /**
   * Whether it reads or writes workflow payloads (default true): those go through the codec server. Commands that
   * read search attributes only need neither the codec server nor the keys.
   */
  payloads?: boolean;
}

/**
 * Runs `fn` with a client under one deadline for every Temporal call it makes, then closes the connection, so
 * no command hangs: an unreachable server, a missing worker or a slow workflow ends with an error naming it.
 */
export async function withTemporal<T>(
  needs: CommandNeeds,
  fn: (client: Client, cfg: OpsTemporalConfig) => Promise<T>,
): Promise<T> {
  const cfg: OpsTemporalConfig = needs.temporal
    ? { ...needs.temporal, payloadCodec: createPayloadCodec(needs.temporal.payloadKeys), payloadsVia: 'PAYLOAD_KEYS' }
    : loadOpsTemporalConfig({ payloads: needs.payloads ?? true });
  const seconds = needs.cmd.optsWithGlobals<{ timeout?: number }>().timeout ?? needs.defaultTimeoutSeconds;
  const timeoutSeconds = seconds ?? DEFAULT_TIMEOUT_SECONDS;
  const client = createTemporalClient(cfg, cliIdentity());
  try {
    // An unreachable server then fails once instead of every call retrying, and within --timeout: the SDK's own
    // connect timeout (10 s) does not follow it.
    const address = cfg.connectionOptions.address ?? 'localhost:7233';
    const unreachable = (why: string) =>
      new CliError(
        `cannot reach Temporal at ${address}: ${why} (set TEMPORAL_ADDRESS, or the profile in temporal.toml ` +
          'that TEMPORAL_PROFILE names, to the frontend address)',
      );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.connection.ensureConnected().catch((err: unknown) => {
        throw unreachable(errorMessage(err));
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(unreachable(`no answer within ${timeoutSeconds} s`)), timeoutSeconds * 1_000);
      }),
    ]).finally(() => clearTimeout(timer));
    return await client.connection.withDeadline(Date.now() + timeoutSeconds * 1_000, async () => {
      if (needs.worker) await requireWorker(client, cfg, needs.worker);
      return fn(client, cfg);
    });
  } catch (err) {
    if (isGrpcDeadlineError(err)) {
      throw new CliError(
        `gave up after ${timeoutSeconds} s waiting for Temporal${needs.worker ? ` (${needs.worker})` : ''}; ` +
          'is the worker busy or stuck? (--timeout <seconds> waits longer)',
      );
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

/** Who runs the CLI, as Temporal records it beside each request: the audit trail shows it beside `--operator`. */
function cliIdentity(): string {
  const user = (() => {
    try {
      return os.userInfo().username;
    } catch {
      return process.env.USER ?? 'unknown';
    }
  })();
  return `ops ${user}@${os.hostname()} (pid ${process.pid})`;
}

/** Refuses at once when no worker polls the task queue: the command would otherwise wait for one forever. */
async function requireWorker(client: Client, cfg: OpsTemporalConfig, purpose: string): Promise<void> {
  if (await hasWorker(client, cfg.taskQueue)) return;
  throw new CliError(
    `no worker polls task queue ${cfg.taskQueue} on namespace ${client.options.namespace}: ${purpose}; ` +
      'start one (npm run worker), then try again',
  );
}

/**
 * Whether a worker polls the task queue now. Temporal lists a stopped worker's pollers for minutes, but a live
 * one polls again at least every ~70 s (the long poll), so only recent polls count.
 */
export async function hasWorker(client: Client, taskQueue: string): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return pollers.some((p) => Date.now() - (optionalTsToMs(p.lastAccessTime) ?? 0) < 90_000);
}
