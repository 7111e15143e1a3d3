import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import starkbank from 'starkbank';
import Ellipticcurve from 'starkbank-ecdsa';
import { createSignatureVerifier } from '../../src/webhook/signature';

function keyPair() {
  return crypto.generateKeyPairSync('ec', {
    namedCurve: 'secp256k1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
  });
}
const sign = (privateKey: string, body: Buffer) =>
  crypto.sign('sha256', body, { key: privateKey, dsaEncoding: 'der' }).toString('base64');

/** What the official SDK says about (content, signature) when the given key is the cached Stark Bank key. */
async function sdkAccepts(publicKeyPem: string, content: Buffer, signature: string): Promise<boolean> {
  (starkbank.cache as Record<string, unknown>)['starkbank-public-key'] = Ellipticcurve.PublicKey.fromPem(publicKeyPem);
  try {
    // A dummy user: on a mismatch the SDK would refetch the key, which this offline user makes fail.
    await starkbank.event.parse({ content: content.toString('utf8'), signature, user: {} as starkbank.Project });
    return true;
  } catch {
    return false;
  }
}

describe('webhook signature verifier', () => {
  const stark = keyPair();
  const body = Buffer.from(
    '{"event": {"created": "2024-02-29T05:00:12.051456+00:00", "id": "5813904772956160", "log": {"type": "credited"}, "subscription": "invoice"}}',
  );
  const verifier = () => createSignatureVerifier({ fetchPublicKey: () => Promise.resolve(stark.publicKey) });

  it('accepts and rejects exactly what starkbank.event.parse does', async () => {
    const good = sign(stark.privateKey, body);
    const flipped = Buffer.from(body);
    flipped[20] = flipped[20]! ^ 1;
    const cases: [string, Buffer, string][] = [
      ['valid', body, good],
      ['one byte changed', flipped, good],
      ['re-serialised body', Buffer.from(JSON.stringify(JSON.parse(body.toString()))), good],
      ['signed by another key', body, sign(keyPair().privateKey, body)],
      ['garbage signature', body, 'bm90IGEgc2lnbmF0dXJl'],
      ['empty signature', body, ''],
    ];
    for (const [name, content, signature] of cases) {
      const ours = await verifier().verify(content, signature);
      assert.equal(ours, await sdkAccepts(stark.publicKey, content, signature), name);
    }
    assert.equal(await verifier().verify(body, good), true);
  });

  it('agrees with the SDK on random corruptions of a valid signature, non-canonical DER included', async function () {
    this.timeout(30_000);
    const good = Buffer.from(sign(stark.privateKey, body), 'base64');
    const v = verifier();
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const mutated = Buffer.from(good);
      const at = i % mutated.length;
      mutated[at] = mutated[at]! ^ (1 << (i % 8));
      const signature = mutated.toString('base64');
      const ours = await v.verify(body, signature);
      assert.equal(ours, await sdkAccepts(stark.publicKey, body, signature), `flip bit ${i % 8} of byte ${at}`);
      if (ours) accepted++;
    }
    // Flips in the DER length bytes keep (r, s) intact: both verifiers accept those few.
    assert.ok(accepted > 0 && accepted < 40, `accepted ${accepted}`);
  });

  it('refetches the key once on a mismatch, so a rotated key is picked up', async () => {
    let current = stark.publicKey;
    let fetches = 0;
    const v = createSignatureVerifier({
      fetchPublicKey: () => {
        fetches++;
        return Promise.resolve(current);
      },
      minRefreshIntervalMs: 0,
    });
    assert.equal(await v.verify(body, sign(stark.privateKey, body)), true);
    const rotated = keyPair();
    current = rotated.publicKey;
    assert.equal(await v.verify(body, sign(rotated.privateKey, body)), true);
    assert.equal(fetches, 2);
  });

  it('does not let forged requests make it fetch the key more than once per interval', async () => {
    let fetches = 0;
    let clock = 0;
    const v = createSignatureVerifier({
      fetchPublicKey: () => {
        fetches++;
        return Promise.resolve(stark.publicKey);
      },
      minRefreshIntervalMs: 10_000,
      now: () => clock,
    });
    const forged = sign(keyPair().privateKey, body);
    for (let i = 0; i < 50; i++) assert.equal(await v.verify(body, forged), false);
    assert.equal(fetches, 1);
    clock = 10_000;
    assert.equal(await v.verify(body, forged), false);
    assert.equal(fetches, 2);
  });

  it('keeps the verdict of the key it holds when a refresh fails', async () => {
    let calls = 0;
    const v = createSignatureVerifier({
      fetchPublicKey: () => (calls++ === 0 ? Promise.resolve(stark.publicKey) : Promise.reject(new Error('500'))),
      minRefreshIntervalMs: 0,
    });
    assert.equal(await v.verify(body, sign(stark.privateKey, body)), true);
    assert.equal(await v.verify(body, sign(keyPair().privateKey, body)), false);
    assert.equal(calls, 2, 'it did try to refresh');
  });

  it('counts failed key fetches too, so forged requests cannot turn a failing key endpoint into API calls', async () => {
    let calls = 0;
    let clock = 0;
    const v = createSignatureVerifier({
      fetchPublicKey: () => (calls++ === 0 ? Promise.resolve(stark.publicKey) : Promise.reject(new Error('500'))),
      minRefreshIntervalMs: 10_000,
      now: () => clock,
    });
    assert.equal(await v.verify(body, sign(stark.privateKey, body)), true);
    clock = 20_000;
    for (let i = 0; i < 5; i++) assert.equal(await v.verify(body, sign(keyPair().privateKey, body)), false);
    assert.equal(calls, 2, 'one refresh attempt per interval, failed or not');
    clock = 40_000;
    assert.equal(await v.verify(body, sign(keyPair().privateKey, body)), false);
    assert.equal(calls, 3);
    assert.equal(await v.verify(body, sign(stark.privateKey, body)), true, 'the held key still verifies');
  });

  it('accepts non-canonical encodings of signatures whose r or s is short, as the SDK does', async function () {
    this.timeout(30_000);
    // About one signature in 256 has an r below 2^248, and as many an s: its 64-byte (r, s) needs leading zeros.
    const short: Partial<Record<'r' | 's', { content: Buffer; signature: Buffer }>> = {};
    for (let i = 0; !short.r || !short.s; i++) {
      const content = Buffer.from(JSON.stringify({ event: { id: String(i), log: {}, subscription: 'invoice' } }));
      const signature = sign(stark.privateKey, content);
      const { r, s } = Ellipticcurve.Signature.fromBase64(signature);
      const found = { content, signature: Buffer.from(signature, 'base64') };
      if (r.toString(16).length < 64) short.r ??= found;
      if (s.toString(16).length < 64) short.s ??= found;
    }
    const v = verifier();
    for (const [which, { content, signature }] of Object.entries(short)) {
      let accepted = 0;
      for (let bit = 0; bit < 8; bit++) {
        const mutated = Buffer.from(signature);
        mutated[1] = mutated[1]! ^ (1 << bit); // the SEQUENCE length, which the SDK's parser ignores
        const encoded = mutated.toString('base64');
        const ours = await v.verify(content, encoded);
        assert.equal(ours, await sdkAccepts(stark.publicKey, content, encoded), `short ${which}, flip bit ${bit}`);
        if (ours) accepted++;
      }
      assert.ok(accepted > 0, `some non-canonical encodings verify (short ${which})`);
    }
  });

  it('spends no key fetch on an empty signature', async () => {
    let fetches = 0;
    const v = createSignatureVerifier({
      fetchPublicKey: () => {
        fetches++;
        return Promise.resolve(stark.publicKey);
      },
      minRefreshIntervalMs: 0,
    });
    assert.equal(await v.verify(body, ''), false);
    assert.equal(await v.verify(body, '===='), false, 'base64 of nothing');
    assert.equal(fetches, 0);
  });

  it('warms up by loading the key once, and says why it cannot', async () => {
    let fetches = 0;
    const v = createSignatureVerifier({
      fetchPublicKey: () => {
        fetches++;
        return Promise.resolve(stark.publicKey);
      },
      minRefreshIntervalMs: 0,
    });
    await v.warmUp();
    await v.warmUp();
    assert.equal(fetches, 1);
    assert.equal(await v.verify(body, sign(stark.privateKey, body)), true);
    assert.equal(fetches, 1, 'the warmed-up key verifies without another fetch');

    let clock = 0;
    const down = createSignatureVerifier({
      fetchPublicKey: () => Promise.reject(new Error('ECONNREFUSED')),
      now: () => clock,
    });
    await assert.rejects(down.warmUp(), {
      name: 'VerificationUnavailableError',
      message: "cannot load Stark Bank's public key: ECONNREFUSED",
    });
    clock = 1_000;
    await assert.rejects(down.warmUp(), {
      name: 'VerificationUnavailableError',
      message: "Stark Bank's public key was fetched moments ago",
    });
  });

  it('rejects every signature, rather than failing, when the key it is given cannot check one', async () => {
    // crypto.verify throws on a key of another kind (an Ed25519 key takes no SHA-256 digest): that is a no.
    const ed25519 = crypto.generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const v = createSignatureVerifier({ fetchPublicKey: () => Promise.resolve(ed25519.publicKey) });
    assert.equal(await v.verify(body, sign(stark.privateKey, body)), false);
    const own = crypto.sign(null, body, ed25519.privateKey).toString('base64');
    assert.equal(await v.verify(body, own), false, 'not even one made with that key');
  });

  it('reports an unreachable key source as unavailable, not as a bad signature', async () => {
    const v = createSignatureVerifier({ fetchPublicKey: () => Promise.reject(new Error('ECONNREFUSED')) });
    await assert.rejects(v.verify(body, sign(stark.privateKey, body)), { name: 'VerificationUnavailableError' });
  });
});
