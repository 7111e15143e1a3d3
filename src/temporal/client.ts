import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { createPayloadCodec, type PayloadKey } from './payloadCodec';
import { clientTracingInterceptors } from '../observability/tracing';

/** The failure converter's module, for workers and for the workflow bundle (bundleWorkflowCode). */
export const failureConverterPath = require.resolve('./failureConverter');

/**
 * How every client and worker of the product turns values into payloads: encrypted, always, failures' messages
 * included (see failureConverter.ts).
 */
export function createDataConverter(payloadKeys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [createPayloadCodec(payloadKeys)], failureConverterPath };
}

/**
 * A Temporal client from config. Lazy: the webhook starts (and answers 503) while Temporal is down.
 * Client-only on purpose: processes that never run a worker do not load the worker's native bridge.
 */
export function createTemporalClient(cfg: Config['temporal']): Client {
  const connection = Connection.lazy(cfg.connectionOptions);
  return new Client({
    connection,
    namespace: cfg.namespace,
    dataConverter: createDataConverter(cfg.payloadKeys),
    interceptors: clientTracingInterceptors(),
  });
}
