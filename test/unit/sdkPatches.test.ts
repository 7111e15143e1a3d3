import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import starkbank from 'starkbank';
import Ellipticcurve from 'starkbank-ecdsa';
import {
  derSignature,
  fetchStarkPublicKey,
  installStarkbankPatches,
  signWithOpenSsl,
} from '../../src/starkbank/sdkPatches';
import { generateProjectKeys } from '../../testkit/emulator';

const HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;

function projectWith(keys: { privateKeyPem: string }): starkbank.Project {
  return new starkbank.Project({ environment: 'sandbox', id: '5656565656565656', privateKey: keys.privateKeyPem });
}

describe('starkbank SDK patches', () => {
  const keys = generateProjectKeys();

  describe('OpenSSL request signing', () => {
    const user = projectWith(keys);
    let agent: https.Agent;
    before(() => {
      agent = installStarkbankPatches({ httpTimeoutMs: 15_000 });
      signWithOpenSsl(user, keys.privateKeyPem);
    });
    after(() => {
      agent.destroy();
      starkbank.setHttpsAgent(null);
      axios.defaults.timeout = 0;
    });
    const pk = () => (user as unknown as { privateKey(): object }).privateKey();

    it('makes low-s DER signatures that both starkbank-ecdsa and OpenSSL verify', () => {
      const publicKey = Ellipticcurve.PublicKey.fromPem(keys.publicKeyPem);
      for (let i = 0; i < 50; i++) {
        const message = `5656565656565656:${1_700_000_000 + i}:{"amount":${i}}`;
        const signature = Ellipticcurve.Ecdsa.sign(message, pk());
        assert.ok(BigInt(`0x${signature.s.toString(16)}`) <= HALF_N, 'high s');
        assert.ok(Ellipticcurve.Ecdsa.verify(message, signature, publicKey), 'starkbank-ecdsa rejected it');
        const der = Buffer.from(signature.toBase64(), 'base64');
        assert.ok(crypto.verify('sha256', Buffer.from(message), keys.publicKeyPem, der), 'OpenSSL rejected it');
        assert.ok(Ellipticcurve.Ecdsa.verify(message + 'x', signature, publicKey) === false);
      }
    });

    it('signs a request with no pure-JavaScript big-integer math: the SDK only asks for the base64', () => {
      const fromBase64 = Ellipticcurve.Signature.fromBase64.bind(Ellipticcurve.Signature);
      let parses = 0;
      Ellipticcurve.Signature.fromBase64 = (b64: string) => (parses++, fromBase64(b64));
      try {
        const signature = Ellipticcurve.Ecdsa.sign('5656565656565656:1700000000:{}', pk());
        assert.ok(signature.toBase64().length > 0);
        assert.equal(parses, 0, 'the signature was parsed into big integers');
        assert.ok(signature.r.toString(16).length > 0, 'r and s are still there for whoever reads them');
        assert.equal(parses, 1);
      } finally {
        Ellipticcurve.Signature.fromBase64 = fromBase64;
      }
    });

    it('signs with the right key when several are in use', () => {
      const otherKeys = generateProjectKeys();
      const other = Ellipticcurve.PrivateKey.fromPem(otherKeys.privateKeyPem);
      const message = 'same message';
      const der = (signature: { toBase64(): string }) => Buffer.from(signature.toBase64(), 'base64');
      const byOther = der(Ellipticcurve.Ecdsa.sign(message, other));
      const byUser = der(Ellipticcurve.Ecdsa.sign(message, pk()));
      assert.ok(crypto.verify('sha256', Buffer.from(message), otherKeys.publicKeyPem, byOther));
      assert.ok(!crypto.verify('sha256', Buffer.from(message), keys.publicKeyPem, byOther));
      assert.ok(crypto.verify('sha256', Buffer.from(message), keys.publicKeyPem, byUser));
    });

    it('encodes DER integers minimally, with a zero byte before a set top bit', () => {
      assert.equal(derSignature(1n, 0x80n).toString('hex'), '3007020101020200' + '80');
      const big = derSignature(2n ** 255n, 2n ** 255n - 1n);
      assert.equal(big.length, 2 + (2 + 33) + (2 + 32));
    });
  });

  /**
   * The SDK internals the patches rely on, observed through a capturing axios adapter: no network, no server.
   * If an SDK upgrade moves one of them, this fails before production does.
   */
  describe('the SDK internals they rely on', () => {
    const seen: InternalAxiosRequestConfig[] = [];
    let reply: unknown = { balances: [] };
    const capture: AxiosAdapter = (config) => {
      seen.push(config);
      return Promise.resolve({ data: reply, status: 200, statusText: 'OK', headers: {}, config });
    };
    let agent: https.Agent;
    const originalAdapter = axios.defaults.adapter;
    before(() => {
      axios.defaults.adapter = capture;
      agent = installStarkbankPatches({ httpTimeoutMs: 1_234 });
    });
    after(() => {
      axios.defaults.adapter = originalAdapter;
      agent.destroy();
      starkbank.setHttpsAgent(null);
      axios.defaults.timeout = 0;
    });
    beforeEach(() => (seen.length = 0));

    it('sends every SDK request through our axios, with our agent and timeout', async () => {
      const user = projectWith(keys);
      signWithOpenSsl(user, keys.privateKeyPem);
      await starkbank.balance.get({ user });
      assert.equal(seen.length, 1, 'the SDK did not call the axios this package resolves');
      assert.equal(seen[0]!.httpsAgent, agent, 'starkbank.setHttpsAgent no longer reaches the request');
      assert.equal(seen[0]!.timeout, 1_234, 'axios.defaults.timeout no longer bounds SDK requests');
    });

    it('signs requests through the patched Ecdsa.sign, with the key object user.privateKey() returns', async () => {
      const user = projectWith(keys);
      signWithOpenSsl(user, keys.privateKeyPem);
      const parsed = (user as unknown as { privateKey(): object }).privateKey();
      const signedKeys: object[] = [];
      const patched = Ellipticcurve.Ecdsa.sign.bind(Ellipticcurve.Ecdsa);
      Ellipticcurve.Ecdsa.sign = (message, privateKey, hashfunc) => {
        signedKeys.push(privateKey);
        return patched(message, privateKey, hashfunc);
      };
      try {
        await starkbank.balance.get({ user });
      } finally {
        Ellipticcurve.Ecdsa.sign = patched;
      }
      assert.deepEqual(signedKeys, [parsed], 'the SDK no longer signs with Ecdsa.sign(message, user.privateKey())');
      const headers = seen[0]!.headers as Record<string, string>;
      const message = `project/5656565656565656:${headers['Access-Time']}:`;
      const signature = Buffer.from(headers['Access-signature']!, 'base64');
      assert.ok(crypto.verify('sha256', Buffer.from(message), keys.publicKeyPem, signature), 'signature invalid');
    });

    it('fetches the webhook public key through the internal getPublicKey', async () => {
      reply = { publicKeys: [{ content: 'PEM-CONTENT' }] };
      try {
        const user = projectWith(keys);
        assert.equal(await fetchStarkPublicKey(user), 'PEM-CONTENT');
        assert.match(String(seen[0]!.url), /\/v2\/public-key\?limit=1$/);
      } finally {
        reply = { balances: [] };
      }
    });
  });
});
