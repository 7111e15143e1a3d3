import crypto from 'node:crypto';
import starkbank from 'starkbank';
import Ellipticcurve from 'starkbank-ecdsa';
import { createSignatureVerifier } from '../src/webhook/signature';
import { installStarkbankPatches, signWithOpenSsl } from '../src/starkbank/sdkPatches';
import { percentile, round, writeResult } from './stats';

/**
 * The SDK's `starkbank.event.parse` (pure-JS ECDSA) against our verifier (Node's OpenSSL), on the same bytes.
 * The SDK's key cache is seeded as test/unit/signature.test.ts does; its refetch on a mismatch goes to a dummy
 * user and fails without network, which is part of the SDK's cost on every invalid signature.
 */
const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
  namedCurve: 'secp256k1',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
});
const sign = (body: Buffer, key: string = privateKey) =>
  crypto.sign('sha256', body, { key, dsaEncoding: 'der' }).toString('base64');

const body = Buffer.from(
  '{"event": {"created": "2024-02-29T05:00:12.051456+00:00", "id": "5813904772956160", "log": {"created": ' +
    '"2024-02-29T05:00:11.000000+00:00", "id": "6543210987654321", "invoice": {"amount": 12345, "fee": 0, ' +
    '"id": "5096976731275264", "status": "paid", "tags": []}, "type": "credited"}, "subscription": "invoice", ' +
    '"workspaceId": "6341320293482496"}}',
);
const sdkKey = Ellipticcurve.PublicKey.fromPem(publicKey);
const dummyUser = {} as starkbank.Project;

async function sdkAccepts(content: Buffer, signature: string): Promise<boolean> {
  (starkbank.cache as Record<string, unknown>)['starkbank-public-key'] = sdkKey;
  try {
    await starkbank.event.parse({ content: content.toString('utf8'), signature, user: dummyUser });
    return true;
  } catch {
    return false;
  }
}
const verifier = createSignatureVerifier({ fetchPublicKey: () => Promise.resolve(publicKey) });
const oursAccepts = (content: Buffer, signature: string) => verifier.verify(content, signature);

/** Calls `fn` sequentially for at least `minMs` (and `minOps`), returning ops/s and latency percentiles in µs. */
async function measure(fn: () => Promise<boolean>, expected: boolean, minMs = 2_000, minOps = 50) {
  for (let i = 0; i < 20; i++) await fn(); // warm-up (JIT, key cache)
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || samples.length < minOps) {
    const t0 = performance.now();
    const ok = await fn();
    samples.push((performance.now() - t0) * 1000);
    if (ok !== expected) throw new Error(`verifier returned ${ok}, expected ${expected}`);
  }
  const elapsed = performance.now() - start;
  return {
    ops: samples.length,
    opsPerSec: round((samples.length / elapsed) * 1000),
    p50us: round(percentile(samples, 50)),
    p99us: round(percentile(samples, 99)),
  };
}

/** `r:s` as the SDK's lenient DER parser reads them, or '' when it cannot. */
function rsOf(signature: string): string {
  try {
    // The module's type declaration (test/types) only covers PublicKey; Signature is there at runtime.
    const { Signature } = Ellipticcurve as unknown as {
      Signature: { fromBase64(b64: string): { r: unknown; s: unknown } };
    };
    const sig = Signature.fromBase64(signature);
    return `${String(sig.r)}:${String(sig.s)}`;
  } catch {
    return '';
  }
}

/** Random mutations of a valid (body, signature): byte flips in either, truncation, extension, other keys. */
function mutations(count: number, good: string): [string, Buffer, string][] {
  const sig = Buffer.from(good, 'base64');
  const b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
  const rnd = (n: number) => crypto.randomInt(n);
  const out: [string, Buffer, string][] = [['valid', body, good]];
  const kinds = [
    () => {
      const b = Buffer.from(body);
      const i = rnd(b.length);
      b[i] = b[i]! ^ (1 << rnd(8));
      return ['body bit flip', b, good] as [string, Buffer, string];
    },
    () => {
      const s = Buffer.from(sig);
      const i = rnd(s.length);
      s[i] = s[i]! ^ (1 << rnd(8));
      return ['signature bit flip', body, s.toString('base64')] as [string, Buffer, string];
    },
    () => {
      const i = rnd(good.length);
      return ['base64 char swap', body, good.slice(0, i) + b64chars[rnd(b64chars.length)] + good.slice(i + 1)] as [
        string,
        Buffer,
        string,
      ];
    },
    () =>
      ['signature truncated', body, sig.subarray(0, rnd(sig.length)).toString('base64')] as [string, Buffer, string],
    () =>
      ['signature extended', body, Buffer.concat([sig, crypto.randomBytes(1 + rnd(4))]).toString('base64')] as [
        string,
        Buffer,
        string,
      ],
    () => ['body truncated', body.subarray(0, rnd(body.length)), good] as [string, Buffer, string],
    () => ['body extended', Buffer.concat([body, Buffer.from(' ')]), good] as [string, Buffer, string],
    () => ['random signature', body, crypto.randomBytes(rnd(80)).toString('base64')] as [string, Buffer, string],
    () => {
      const other = crypto.generateKeyPairSync('ec', {
        namedCurve: 'secp256k1',
        privateKeyEncoding: { type: 'sec1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      return ['other key', body, sign(body, other.privateKey)] as [string, Buffer, string];
    },
    () => {
      // A fresh valid signature of a different, valid body: both must accept.
      const b = Buffer.from(body.toString().replace('12345', String(rnd(99_999))));
      return ['re-signed body', b, sign(b)] as [string, Buffer, string];
    },
  ];
  while (out.length < count) out.push(kinds[rnd(kinds.length)]!());
  return out;
}

export async function runSignatureBench(): Promise<Record<string, unknown>> {
  const good = sign(body);
  const bad = sign(
    body,
    crypto
      .generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString(),
  );

  // The other direction: the SDK signing each API request (as starkcore does: parse the PEM, sign in JS) and
  // the same call once the patches are installed and the user's key is registered.
  const message = `5656565656565656:1700000000:${body.toString()}`;
  const librarySigns = () =>
    Promise.resolve(Ellipticcurve.Ecdsa.sign(message, Ellipticcurve.PrivateKey.fromPem(privateKey)).toBase64() !== '');
  const user = new starkbank.Project({ environment: 'sandbox', id: '5656565656565656', privateKey });
  installStarkbankPatches({ httpTimeoutMs: 15_000 }).destroy();
  signWithOpenSsl(user, privateKey);
  const registered = (user as unknown as { privateKey(): object }).privateKey();
  const opensslSigns = () => Promise.resolve(Ellipticcurve.Ecdsa.sign(message, registered).toBase64() !== '');

  const results = {
    sdkRequestSigning: await measure(librarySigns, true),
    opensslRequestSigning: await measure(opensslSigns, true),
    sdkValid: await measure(() => sdkAccepts(body, good), true),
    oursValid: await measure(() => oursAccepts(body, good), true),
    sdkInvalid: await measure(() => sdkAccepts(body, bad), false),
    oursInvalid: await measure(() => oursAccepts(body, bad), false),
  };

  const cases = mutations(1_000, good);
  const disagreements: { kind: string; sdk: boolean; ours: boolean; sameRS: boolean; signature: string }[] = [];
  const goodRS = rsOf(good);
  const accepted = { sdk: 0, ours: 0 };
  for (const [kind, content, signature] of cases) {
    const [sdk, ours] = [await sdkAccepts(content, signature), await oursAccepts(content, signature)];
    if (sdk) accepted.sdk++;
    if (ours) accepted.ours++;
    // sameRS: the input is a re-encoding of the valid signature's (r, s), i.e. DER malleability, not a forgery.
    if (sdk !== ours) disagreements.push({ kind, sdk, ours, sameRS: rsOf(signature) === goodRS, signature });
  }
  const equivalence = {
    inputs: cases.length,
    accepted,
    disagreements: disagreements.length,
    sdkOnlyAccepts: disagreements.filter((d) => d.sdk).length,
    oursOnlyAccepts: disagreements.filter((d) => d.ours).length,
    allDisagreementsAreReencodedRS: disagreements.every((d) => d.sameRS),
    examples: disagreements.slice(0, 5),
  };

  console.log('request signing and webhook signature verification (sequential, one core):');
  console.table(results);
  console.log(
    `equivalence: ${cases.length} inputs, accepted sdk=${accepted.sdk} ours=${accepted.ours}, ` +
      `disagreements=${disagreements.length} (sdk-only accepts ${equivalence.sdkOnlyAccepts}, ours-only ` +
      `${equivalence.oursOnlyAccepts}, all re-encodings of the valid (r,s): ${equivalence.allDisagreementsAreReencodedRS})`,
  );
  const file = writeResult('signature', { results, equivalence });
  console.log(`-> ${file}`);
  if (disagreements.length > 0) process.exitCode = 1;
  return { results, equivalence };
}

if (require.main === module) {
  runSignatureBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
