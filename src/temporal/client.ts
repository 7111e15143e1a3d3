import { Client, Connection } from '@temporalio/client';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import { createPayloadCodec, type PayloadKey } from './payloadCodec';
import { clientTracingInterceptors } from '../observability/tracing';

/** How to reach Temporal, and the keys that encrypt workflow payloads (the first encrypts, all decrypt). */
export type TemporalConfig = ClientConnectConfig & { taskQueue: string; payloadKeys: PayloadKey[] };

/** The failure converter's module, for workers and for the workflow bundle (bundleWorkflowCode). */
export const failureConverterPath = require.resolve('./failureConverter');

/**
 * How every client and worker of the product turns values into payloads: encrypted, always, failures' messages
 * included (see failureConverter.ts).
 */
export function createDataConverter(payloads: readonly PayloadKey[] | PayloadCodec): DataConverter {
  const codec = 'decode' in payloads ? payloads : createPayloadCodec(payloads);
  return { payloadCodecs: [codec], failureConverterPath };
}

/**
 * A Temporal client from config. Lazy: the webhook starts (and answers 503) while Temporal is down.
 * Client-only on purpose: processes that never run a worker do not load the worker's native bridge.
 */
export function createTemporalClient(
  cfg: Pick<TemporalConfig, 'connectionOptions' | 'namespace'> &
    ({ payloadKeys: readonly PayloadKey[] } | { payloadCodec: PayloadCodec }),
  /** Sent with every request; Temporal keeps it in history (e.g. beside an Update an operator sent). */
  identity?: string,
): Client {
  const connection = Connection.lazy(cfg.connectionOptions);
  return new Client({
    connection,
    namespace: cfg.namespace,
    ...(identity && { identity }),
    dataConverter: createDataConverter('payloadCodec' in cfg ? cfg.payloadCodec : cfg.payloadKeys),
    interceptors: clientTracingInterceptors(),
  });
}
