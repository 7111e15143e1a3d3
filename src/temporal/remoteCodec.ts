import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

/**
 * A payload codec that asks a codec server (`POST <endpoint>/encode|decode`, the protocol the Web UI and
 * `temporal --codec-endpoint` speak), so the process that uses it never holds the payload keys. The authorization
 * header goes as given (`Bearer <token>`, as TEMPORAL_CODEC_AUTH); errors never repeat it.
 */
export interface RemoteCodecOptions {
  /** The codec server's endpoint, without `/encode` or `/decode`. */
  endpoint: string;
  authorization?: string;
  /** Sent as `X-Namespace`, as the Web UI does. */
  namespace: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

const wirePayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).nullish(), data: z.string().nullish() })),
});

export class RemoteCodecError extends Error {
  override name = 'RemoteCodecError';
}

export function createRemoteCodec(opts: RemoteCodecOptions): PayloadCodec {
  const call = async (direction: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> => {
    if (payloads.length === 0) return [];
    const where = `${opts.endpoint.replace(/\/codec\/[^/]+$/, '/codec/…')}/${direction}`;
    let response: Response;
    try {
      response = await fetch(`${opts.endpoint}/${direction}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Namespace': opts.namespace,
          ...(opts.authorization && { Authorization: opts.authorization }),
        },
        body: JSON.stringify({ payloads: payloads.map(toWire) }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new RemoteCodecError(`cannot reach the codec server at ${where}: ${(err as Error).message}`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new RemoteCodecError(
        `the codec server at ${where} refused the credentials (TEMPORAL_CODEC_AUTH: 'Bearer <token>')`,
      );
    }
    if (!response.ok) throw new RemoteCodecError(`the codec server at ${where} answered ${response.status}`);
    const body = wirePayloads.safeParse(await response.json().catch(() => undefined));
    if (!body.success || body.data.payloads.length !== payloads.length) {
      throw new RemoteCodecError(`the codec server at ${where} answered something other than the payloads`);
    }
    return body.data.payloads.map(fromWire);
  };
  return { encode: (payloads) => call('encode', payloads), decode: (payloads) => call('decode', payloads) };
}

/** The codec server protocol's JSON form of a payload: metadata values and data in base64. */
export type WirePayload = z.infer<typeof wirePayloads>['payloads'][number];

export function toWire(p: Payload): WirePayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

export function fromWire(p: WirePayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

export { wirePayloads };
