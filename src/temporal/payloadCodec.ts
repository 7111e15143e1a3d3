import crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * Encrypts every workflow payload (inputs, results, signals, updates, memos, failures' details) with AES-256-GCM,
 * so payer names, tax ids and operators' notes never sit in clear in Temporal's database, its backups or the Web
 * UI. The key id travels in each payload's metadata: the newest key encrypts, every listed key decrypts, which is
 * how keys rotate. Search attributes are not payloads: they stay readable and hold no personal data.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `keys[0]` encrypts; all of them decrypt. */
export function createPayloadCodec(keys: readonly PayloadKey[]): PayloadCodec {
  const [current] = keys;
  if (!current) throw new PayloadKeyError('no payload key: payloads would be stored in clear');
  const byId = new Map(keys.map((k) => [k.id, k.key]));

  // Synchronous work behind a promise: a bad payload rejects it rather than throwing at the call.
  return {
    encode: (payloads) => Promise.resolve().then(() => payloads.map((payload) => encrypt(current, payload))),
    decode: (payloads) => Promise.resolve().then(() => payloads.map((payload) => decrypt(byId, payload))),
  };
}

function encrypt(current: PayloadKey, payload: Payload): Payload {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', current.key, iv);
  const clear = temporal.api.common.v1.Payload.encode(payload).finish();
  const data = Buffer.concat([iv, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
  return {
    metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID]: encoder.encode(current.id) },
    data: new Uint8Array(data),
  };
}

function decrypt(keys: ReadonlyMap<string, Buffer>, payload: Payload): Payload {
  // Payloads written before encryption was on (none in production) pass through unchanged.
  if (decodeText(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
  const id = decodeText(payload.metadata?.[KEY_ID]);
  const key = id === undefined ? undefined : keys.get(id);
  if (!key) throw new PayloadKeyError(`payload encrypted with key "${id}", which this process does not have`);
  const data = Buffer.from(payload.data ?? new Uint8Array());
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    const clear = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    return temporal.api.common.v1.Payload.decode(clear);
  } catch {
    throw new PayloadKeyError(`key "${id}" does not decrypt this payload: it is not the key that encrypted it`);
  }
}

function decodeText(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? decoder.decode(bytes) : undefined;
}

/**
 * Parses `id:base64key` entries, newest first, separated by commas or new lines (PAYLOAD_KEYS, or the file
 * PAYLOAD_KEYS_FILE names). The error names the entry by position only: a key is never echoed.
 */
export function parsePayloadKeys(text: string): PayloadKey[] {
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0 && !e.startsWith('#'));
  if (entries.length === 0) throw new PayloadKeyError('no key in it');
  const keys = entries.map((entry, i) => {
    const match = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9+/=]+)$/.exec(entry);
    const key = match ? Buffer.from(match[2]!, 'base64') : undefined;
    if (!match || key?.length !== 32) {
      throw new PayloadKeyError(`entry ${i + 1} is not id:<32 bytes in base64> (the value is not shown)`);
    }
    return { id: match[1]!, key };
  });
  const ids = keys.map((k) => k.id);
  if (new Set(ids).size !== ids.length) throw new PayloadKeyError('two keys share an id');
  return keys;
}

/**
 * What to do about missing or wrong payload keys. A new key reads nothing already written, so the fix in a running
 * deployment is the keys it already uses; making one is only for a deployment that has written nothing yet.
 */
export const USE_EXISTING_KEYS =
  'set it to the keys this deployment already uses (npm run dev keeps them in .data/keys/payload-keys, ' +
  "docker compose in the keys volume's /keys/payload-keys, elsewhere the secret the worker and webhook mount): " +
  'a new key reads nothing already written. Only a new deployment with nothing written yet makes one ' +
  '(npm run ops -- keys payload, docs/security.md)';

/** A new key entry (`id:base64`) for PAYLOAD_KEYS; the default id says when it was made (k20260131-1a2b). */
export function generatePayloadKey(
  id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${crypto.randomBytes(2).toString('hex')}`,
): string {
  return `${id}:${crypto.randomBytes(32).toString('base64')}`;
}
