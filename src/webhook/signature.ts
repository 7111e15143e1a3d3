import crypto from 'node:crypto';

/**
 * Verifies Stark Bank's `Digital-Signature` (base64 DER ECDSA-SHA256 on secp256k1) over the raw body bytes,
 * with Node's native crypto. Accepts and rejects what `starkbank.event.parse` does, including its key refresh:
 * on a mismatch the public key is fetched again once (Stark Bank may have rotated it) before giving up.
 * Unlike event.parse it checks the signature before parsing any JSON, and a forged request cannot make it
 * fetch the key more than once per `minRefreshIntervalMs`.
 */
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

export function createSignatureVerifier(opts: SignatureVerifierOptions): SignatureVerifier {
  const minRefreshIntervalMs = opts.minRefreshIntervalMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let key: crypto.KeyObject | undefined;
  let fetchedAt = -Infinity;
  let inFlight: Promise<crypto.KeyObject> | undefined;

  const fetchKey = (): Promise<crypto.KeyObject> => {
    // Concurrent requests share one fetch.
    inFlight ??= opts
      .fetchPublicKey()
      .then((pem) => {
        key = crypto.createPublicKey(pem);
        fetchedAt = now();
        return key;
      })
      .catch((err: unknown) => {
        throw new VerificationUnavailableError(
          `cannot load Stark Bank's public key: ${err instanceof Error ? err.message : String(err)}`,
        );
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const check = (publicKey: crypto.KeyObject, body: Buffer, signature: Buffer): boolean => {
    try {
      return crypto.verify('sha256', body, { key: publicKey, dsaEncoding: 'der' }, signature);
    } catch {
      return false; // malformed DER
    }
  };

  return {
    async verify(rawBody, signature) {
      if (!signature) return false;
      const decoded = Buffer.from(signature, 'base64');
      if (decoded.length === 0) return false;
      if (check(key ?? (await fetchKey()), rawBody, decoded)) return true;
      if (now() - fetchedAt < minRefreshIntervalMs) return false;
      return check(await fetchKey(), rawBody, decoded);
    },
    async warmUp() {
      if (!key) await fetchKey();
    },
  };
}
