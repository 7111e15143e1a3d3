import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import Ellipticcurve from 'starkbank-ecdsa';
import { derSignature, signRequestsWithOpenSsl } from '../../src/starkbank/fastSigning';
import { generateProjectKeys, startTestEmulator } from '../../testkit/emulator';

const HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;

describe('request signing with OpenSSL (SDK user)', () => {
  const keys = generateProjectKeys();
  const user = new starkbank.Project({
    environment: 'sandbox',
    id: '5656565656565656',
    privateKey: keys.privateKeyPem,
  });
  signRequestsWithOpenSsl(user, keys.privateKeyPem);
  const pk = (user as unknown as { privateKey(): object }).privateKey();

  it('makes low-s DER signatures that both starkbank-ecdsa and OpenSSL verify', () => {
    const publicKey = Ellipticcurve.PublicKey.fromPem(keys.publicKeyPem);
    for (let i = 0; i < 50; i++) {
      const message = `5656565656565656:${1_700_000_000 + i}:{"amount":${i}}`;
      const signature = Ellipticcurve.Ecdsa.sign(message, pk);
      assert.ok(BigInt(`0x${signature.s.toString(16)}`) <= HALF_N, 'high s');
      assert.ok(Ellipticcurve.Ecdsa.verify(message, signature, publicKey), 'starkbank-ecdsa rejected it');
      const der = Buffer.from(signature.toBase64(), 'base64');
      assert.ok(crypto.verify('sha256', Buffer.from(message), keys.publicKeyPem, der), 'OpenSSL rejected it');
      assert.ok(Ellipticcurve.Ecdsa.verify(message + 'x', signature, publicKey) === false);
    }
  });

  it('signs with the right key when several are in use', () => {
    const otherKeys = generateProjectKeys();
    const other = Ellipticcurve.PrivateKey.fromPem(otherKeys.privateKeyPem);
    const message = 'same message';
    const der = (signature: { toBase64(): string }) => Buffer.from(signature.toBase64(), 'base64');
    const byOther = der(Ellipticcurve.Ecdsa.sign(message, other));
    const byUser = der(Ellipticcurve.Ecdsa.sign(message, pk));
    assert.ok(crypto.verify('sha256', Buffer.from(message), otherKeys.publicKeyPem, byOther));
    assert.ok(!crypto.verify('sha256', Buffer.from(message), keys.publicKeyPem, byOther));
    assert.ok(crypto.verify('sha256', Buffer.from(message), keys.publicKeyPem, byUser));
  });

  it('encodes DER integers minimally, with a zero byte before a set top bit', () => {
    assert.equal(derSignature(1n, 0x80n).toString('hex'), '3007020101020200' + '80');
    const big = derSignature(2n ** 255n, 2n ** 255n - 1n);
    assert.equal(big.length, 2 + (2 + 33) + (2 + 32));
  });

  it('is accepted by the emulator, which checks every request signature', async () => {
    const stark = await startTestEmulator({ seed: 'openssl-signing' });
    try {
      const project = new starkbank.Project({
        environment: 'sandbox',
        id: stark.projectId,
        privateKey: stark.privateKeyPem,
      });
      signRequestsWithOpenSsl(project, stark.privateKeyPem);
      const [invoice] = await starkbank.invoice.create(
        [new starkbank.Invoice({ amount: 1_234, name: 'Signed by OpenSSL', taxId: cpf.generate() })],
        { user: project },
      );
      assert.equal(invoice!.amount, 1_234);
    } finally {
      await stark.close();
    }
  });
});
