import type { Client } from '@temporalio/client';
import { loadTemporalConfig, type Config } from '../config';
import { createTemporalClient } from '../temporal/client';
import { CliError } from './output';
import { errorMessage } from '../shared/errors';

/** Runs `fn` with a client and closes the connection afterwards, so the process can exit. */
export async function withTemporal<T>(
  fn: (client: Client, cfg: Config['temporal']) => Promise<T>,
  cfg: Config['temporal'] = loadTemporalConfig(),
): Promise<T> {
  const client = createTemporalClient(cfg);
  try {
    // An unreachable server then fails once with "Failed to connect" (10 s) instead of every call retrying.
    await client.connection.ensureConnected().catch((err: unknown) => {
      const why = errorMessage(err);
      throw new CliError(`cannot reach Temporal at ${cfg.connectionOptions.address ?? 'localhost:7233'}: ${why}`);
    });
    return await fn(client, cfg);
  } finally {
    await client.connection.close();
  }
}
