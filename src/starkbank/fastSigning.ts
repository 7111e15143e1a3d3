import crypto from 'node:crypto';
import Ellipticcurve from 'starkbank-ecdsa';
import type { StarkUser } from './user';

// secp256k1's group order: a signature's s above half of it is replaced by n - s, as starkbank-ecdsa does.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Private keys whose requests are signed with OpenSSL, keyed by the parsed key object the SDK hands to `sign`. */
const opensslKeys = new WeakMap<object, crypto.KeyObject>();
let installed = false;

/**
 * The SDK signs every request with starkbank-ecdsa in pure JavaScript, parsing the PEM key again each time:
 * ~3 ms of CPU per request, and with big-integer 13% of a busy worker's main thread (BENCHMARKS.md). For this user only,
 * the key is parsed once and signatures come from OpenSSL: same curve, hash, low-s normalisation and DER
 * encoding, so Stark Bank verifies them exactly as before (ECDSA signatures differ run to run either way).
 * Every other caller of `Ecdsa.sign` keeps the library's own implementation.
 */
export function signRequestsWithOpenSsl(user: StarkUser, privateKeyPem: string): void {
  const parsed = Ellipticcurve.PrivateKey.fromPem(privateKeyPem);
  opensslKeys.set(parsed, crypto.createPrivateKey(privateKeyPem));
  // The SDK asks the user for its key on every request; hand it the one parsed object.
  Object.defineProperty(user, 'privateKey', { value: () => parsed });
  if (installed) return;
  installed = true;
  const librarySign = Ellipticcurve.Ecdsa.sign.bind(Ellipticcurve.Ecdsa);
  Ellipticcurve.Ecdsa.sign = (message, privateKey, hashfunc = 'sha256') => {
    const key = opensslKeys.get(privateKey);
    if (!key || hashfunc !== 'sha256') return librarySign(message, privateKey, hashfunc);
    const rs = crypto.sign('sha256', Buffer.from(message, 'utf8'), { key, dsaEncoding: 'ieee-p1363' });
    const r = BigInt(`0x${rs.subarray(0, 32).toString('hex')}`);
    let s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
    if (s > N / 2n) s = N - s;
    return Ellipticcurve.Signature.fromBase64(derSignature(r, s).toString('base64'));
  };
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` for two positive integers below 2^256. */
export function derSignature(r: bigint, s: bigint): Buffer {
  const integer = (n: bigint) => {
    let bytes = Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    bytes = bytes.subarray(start);
    // A set top bit would read as negative: DER then needs a leading zero byte.
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
