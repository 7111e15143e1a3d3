import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

/**
 * A Temporal client from config. Lazy: the webhook starts (and answers 503) while Temporal is down.
 * Client-only on purpose: processes that never run a worker do not load the worker's native bridge.
 */
export function createTemporalClient(cfg: Config['temporal']): Client {
  const connection = Connection.lazy(cfg.connectionOptions);
  return new Client({ connection, namespace: cfg.namespace });
}
