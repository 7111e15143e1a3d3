import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import type { Config } from '../config';
import { CliError } from './output';

/**
 * Only the Temporal part of the configuration. Operators run these commands from a laptop or a bastion that
 * holds no Stark Bank key, so loadConfig (which insists on one) is not used here. Same variables and defaults.
 */
const envSchema = z.object({
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('starkbank-payouts'),
});

export function temporalFromEnv(env: NodeJS.ProcessEnv = process.env): Config['temporal'] {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`TEMPORAL_TASK_QUEUE: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const loaded = loadClientConnectConfig({ overrideEnvVars });
  return {
    connectionOptions: { ...loaded.connectionOptions, address: loaded.connectionOptions.address ?? 'localhost:7233' },
    namespace: loaded.namespace ?? 'default',
    taskQueue: parsed.data.TEMPORAL_TASK_QUEUE,
  };
}

/** Runs `fn` with a client and closes the connection afterwards, so the process can exit. */
export async function withTemporal<T>(
  fn: (client: Client, cfg: Config['temporal']) => Promise<T>,
  cfg: Config['temporal'] = temporalFromEnv(),
): Promise<T> {
  // Same as createTemporalClient, built here because that module also loads @temporalio/worker's native
  // bridge: a second of start-up on every command for nothing a client uses.
  const client = new Client({ connection: Connection.lazy(cfg.connectionOptions), namespace: cfg.namespace });
  try {
    // An unreachable server then fails once with "Failed to connect" (10 s) instead of every call retrying.
    await client.connection.ensureConnected().catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      throw new CliError(`cannot reach Temporal at ${cfg.connectionOptions.address ?? 'localhost:7233'}: ${why}`);
    });
    return await fn(client, cfg);
  } finally {
    await client.connection.close();
  }
}
