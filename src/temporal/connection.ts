import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';

/** A Temporal client from config. Lazy: the webhook starts (and answers 503) while Temporal is down. */
export function createTemporalClient(cfg: Config['temporal']): Client {
  const connection = Connection.lazy(cfg.connectionOptions);
  return new Client({ connection, namespace: cfg.namespace });
}

export async function connectWorkerConnection(cfg: Config['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect(cfg.connectionOptions);
}
