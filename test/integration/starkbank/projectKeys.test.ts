import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import starkbank from 'starkbank';
import { ConfigError, loadConfig } from '../../../src/config';
import { createStarkUser } from '../../../src/starkbank/user';
import { generatePayloadKey } from '../../../src/temporal/payloadCodec';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { emptyDir, runCli } from '../../e2e/ops/run';

/**
 * A project key made any way Stark Bank's docs or common tools make one is read, and signs requests the emulator
 * verifies through the unmodified SDK; anything else is refused naming what it is, never showing it.
 */
describe('Stark Bank project keys: every PEM form of a secp256k1 private key', function () {
  this.timeout(60_000);
  let t: TestEmulator;
  let dir: string;
  before(async () => {
    t = await startTestEmulator();
    dir = emptyDir();
  });
  after(() => t.close());

  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString();
  const envWithKeyFile = (file: string) => ({
    PAYLOAD_KEYS: generatePayloadKey('k'),
    STARK_PROJECT_ID: t.projectId,
    STARK_PRIVATE_KEY_FILE: file,
    TEMPORAL_CONFIG_FILE: '/nonexistent',
  });
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
    return path.join(dir, name);
  };

  const makers: Record<string, () => Promise<string>> = {
    'openssl ecparam -genkey (with the EC PARAMETERS block, as Stark Bank READMEs show)': () => {
      openssl('ecparam', '-name', 'secp256k1', '-genkey', '-out', 'with-params.pem');
      return Promise.resolve(path.join(dir, 'with-params.pem'));
    },
    'openssl ecparam -genkey -noout': () => {
      openssl('ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', 'noout.pem');
      return Promise.resolve(path.join(dir, 'noout.pem'));
    },
    'openssl pkcs8 -topk8 (PKCS#8)': () => {
      openssl('ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', 'sec1.pem');
      openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'sec1.pem', '-out', 'pkcs8.pem');
      return Promise.resolve(path.join(dir, 'pkcs8.pem'));
    },
    'starkbank.key.create()': () => {
      // With a path argument the SDK returns the pair without writing files of its own into the cwd.
      const [privatePem] = starkbank.key.create('unused');
      return Promise.resolve(write('sdk.pem', privatePem));
    },
    'npm run ops -- keys create': async () => {
      const out = path.join(dir, 'ops');
      const created = await runCli(['keys', 'create', '--out', out]);
      assert.equal(created.code, 0, created.stderr);
      return path.join(out, 'private-key.pem');
    },
  };

  for (const [how, make] of Object.entries(makers)) {
    it(`reads a key made by ${how} and signs requests the emulator accepts`, async () => {
      const file = await make();
      const config = loadConfig(envWithKeyFile(file));
      const publicKeyPem = crypto
        .createPublicKey(fs.readFileSync(file, 'utf8'))
        .export({ type: 'spki', format: 'pem' })
        .toString();
      t.emulator.registerProject(t.projectId, publicKeyPem);
      const balance = await starkbank.balance.get({ user: createStarkUser(config.stark) });
      assert.equal(typeof balance.amount, 'number');
    });
  }

  it('reads the same forms inline (STARK_PRIVATE_KEY)', () => {
    openssl('ecparam', '-name', 'secp256k1', '-genkey', '-out', 'inline.pem');
    const config = loadConfig({
      ...envWithKeyFile(''),
      STARK_PRIVATE_KEY_FILE: undefined,
      STARK_PRIVATE_KEY: fs.readFileSync(path.join(dir, 'inline.pem'), 'utf8'),
    });
    assert.ok(config.stark.privateKey.length > 0);
  });

  const refused: Record<string, [() => string, RegExp]> = {
    'a key on another curve (P-256)': [
      () => openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout'),
      /curve prime256v1; Stark Bank signs with secp256k1/,
    ],
    'an RSA key': [
      () =>
        crypto
          .generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      /a rsa key; Stark Bank signs with secp256k1/,
    ],
    'the public key': [
      () => crypto.createPublicKey(t.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString(),
      /is a public key \(PUBLIC KEY\); Stark Bank needs the project's private key/,
    ],
    garbage: [() => 'not a key at all, 0123456789abcdef', /is not PEM/],
    'a damaged key': [() => t.privateKeyPem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA'), /does not parse/],
  };

  for (const [what, [make, reason]] of Object.entries(refused)) {
    it(`refuses ${what}, saying why without showing it`, () => {
      const text = make();
      for (const env of [
        { ...envWithKeyFile(write('refused.pem', text)) },
        { ...envWithKeyFile(''), STARK_PRIVATE_KEY_FILE: undefined, STARK_PRIVATE_KEY: text },
      ]) {
        let error: unknown;
        try {
          loadConfig(env);
        } catch (err) {
          error = err;
        }
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /STARK_PRIVATE_KEY/);
        assert.match(error.message, reason);
        for (const line of text.split('\n').filter((l) => l.length > 16 && !l.startsWith('-----'))) {
          assert.ok(!error.message.includes(line), 'the value is never shown');
        }
      }
    });
  }
});
