import crypto from 'node:crypto';
import Ellipticcurve from 'starkbank-ecdsa';
import { errorMessage } from '../shared/errors';

export class VerificationUnavailableError extends Error {
  override name = 'VerificationUnavailableError';
}

export interface SignatureVerifierOptions {
  /** Fetches Stark Bank's current public key (PEM) through the authenticated SDK. */
  fetchPublicKey: () => Promise<string>;
  minRefreshIntervalMs?: number;
  now?: () => number;
}

export interface SignatureVerifier {
  verify(rawBody: Buffer, signature: string | undefined): Promise<boolean>;
  /** Loads the key now (readiness check); throws VerificationUnavailableError when it cannot. */
  warmUp(): Promise<void>;
}

/**
 * Verifies Stark Bank's `Digital-Signature` (base64 DER ECDSA-SHA256 on secp256k1) over the raw body bytes,
 * with Node's native crypto. Accepts and rejects what `starkbank.event.parse` does, including its key refresh:
 * on a mismatch the public key is fetched again once (Stark Bank may have rotated it) before giving up.
 * Unlike event.parse it checks the signature before parsing any JSON, and a forged request cannot make it
 * fetch the key more than once per `minRefreshIntervalMs`.
 */
export function createSignatureVerifier(opts: SignatureVerifierOptions): SignatureVerifier {
  const minRefreshIntervalMs = opts.minRefreshIntervalMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let key: crypto.KeyObject | undefined;
  // Every attempt counts, failed ones too: while the key endpoint fails, forged requests must not become calls.
  let attemptedAt = -Infinity;
  let inFlight: Promise<crypto.KeyObject> | undefined;

  const fetchKey = (): Promise<crypto.KeyObject> => {
    // Concurrent requests share one fetch.
    if (inFlight) return inFlight;
    if (now() - attemptedAt < minRefreshIntervalMs) {
      return Promise.reject(new VerificationUnavailableError("Stark Bank's public key was fetched moments ago"));
    }
    attemptedAt = now();
    inFlight = opts
      .fetchPublicKey()
      .then((pem) => {
        key = crypto.createPublicKey(pem);
        return key;
      })
      .catch((err: unknown) => {
        throw new VerificationUnavailableError(`cannot load Stark Bank's public key: ${errorMessage(err)}`);
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const check = (publicKey: crypto.KeyObject, body: Buffer, signature: string): boolean => {
    const attempt = (sig: Buffer, dsaEncoding: 'der' | 'ieee-p1363') => {
      try {
        return crypto.verify('sha256', body, { key: publicKey, dsaEncoding }, sig);
      } catch {
        return false; // malformed encoding
      }
    };
    // Canonical DER first; the lenient decoding below accepts it too, so skipping this changes no verdict.
    if (attempt(Buffer.from(signature, 'base64'), 'der')) return true;
    // The SDK's DER parser ignores declared lengths, so it also accepts non-canonical encodings of a valid
    // (r, s). Decoding with that same parser keeps the two verifiers in exact agreement.
    const lenient = rawSignature(signature);
    return lenient !== undefined && attempt(lenient, 'ieee-p1363');
  };

  return {
    async verify(rawBody, signature) {
      if (!signature || Buffer.from(signature, 'base64').length === 0) return false;
      if (check(key ?? (await fetchKey()), rawBody, signature)) return true;
      // The key we hold says no. If a fresh one cannot be had now, that verdict stands (Stark Bank redelivers
      // any non-200 anyway, and the sweep recovers a genuine event signed with a rotated key).
      const fresh = await fetchKey().catch(() => undefined);
      return fresh !== undefined && check(fresh, rawBody, signature);
    },
    async warmUp() {
      if (!key) await fetchKey();
    },
  };
}

/** (r, s) as 64 bytes (IEEE P1363), decoded the way starkbank-ecdsa decodes; undefined when it cannot. */
function rawSignature(signature: string): Buffer | undefined {
  let decoded: ReturnType<typeof Ellipticcurve.Signature.fromBase64>;
  try {
    decoded = Ellipticcurve.Signature.fromBase64(signature);
  } catch {
    return undefined; // not a signature the SDK can read
  }
  const [rHex, sHex] = [decoded.r.toString(16), decoded.s.toString(16)];
  // Stryker disable next-line all: equivalent, such an (r, s) never verifies; the guard only skips the attempt
  if (rHex.length > 64 || sHex.length > 64 || rHex.startsWith('-') || sHex.startsWith('-')) return undefined;
  return Buffer.from(rHex.padStart(64, '0') + sHex.padStart(64, '0'), 'hex');
}
