import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { emptyDir, runCli } from './run';
import { pemLabels, SEC1_KEY_LABEL } from '../../../src/shared/pem';
import { loadConfig } from '../../../src/config';
import { createPayloadCodec, parsePayloadKeys } from '../../../src/temporal/payloadCodec';

describe('ops CLI: keys (real process)', function () {
  this.timeout(30_000);

  it('writes a secp256k1 SEC1 private key (0600) and its public key, printing only the public one', async () => {
    const cwd = emptyDir();
    const created = await runCli(['keys', 'create'], {}, cwd);
    assert.equal(created.code, 0, created.stderr);

    const privateKeyPath = path.join(cwd, '.data/keys/private-key.pem');
    const privatePem = fs.readFileSync(privateKeyPath, 'utf8');
    assert.deepEqual(pemLabels(privatePem), [SEC1_KEY_LABEL]);
    assert.equal(fs.statSync(privateKeyPath).mode & 0o777, 0o600);
    // Only the keys' own dir is private: a 0700 .data/ locks PostgreSQL out of npm run cluster's data (as root).
    assert.equal(fs.statSync(path.join(cwd, '.data/keys')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(cwd, '.data')).mode & 0o001, 0o001);
    const privateKey = crypto.createPrivateKey(privatePem);
    assert.equal(privateKey.asymmetricKeyType, 'ec');
    assert.equal(privateKey.asymmetricKeyDetails?.namedCurve, 'secp256k1');

    const publicPem = fs.readFileSync(path.join(cwd, '.data/keys/public-key.pem'), 'utf8');
    assert.equal(publicPem, crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }));
    assert.ok(created.stdout.includes(publicPem.trimEnd()), 'the public key is printed');
    assert.ok(created.stdout.includes(privateKeyPath), 'the private key path is printed');
    assert.ok(!pemLabels(created.stdout + created.stderr).some((label) => label.includes('PRIVATE')));
    const secretBody = privatePem.split('\n')[1]!;
    assert.ok(!created.stdout.includes(secretBody), 'the private key is never printed');
  });

  it('refuses to overwrite an existing private key, and reports JSON without the private key', async () => {
    const out = emptyDir();
    const first = await runCli(['keys', 'create', '--out', out, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), ['privateKeyPath', 'publicKeyPath', 'publicKeyPem']);
    assert.equal(report.privateKeyPath, path.join(out, 'private-key.pem'));

    const before = fs.readFileSync(path.join(out, 'private-key.pem'), 'utf8');
    const again = await runCli(['keys', 'create', '--out', out]);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /^error: .*private-key\.pem already exists; not overwriting it/);
    assert.equal(again.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(fs.readFileSync(path.join(out, 'private-key.pem'), 'utf8'), before, 'the key is untouched');
  });

  it('makes payload keys the configuration accepts, written 0600 to a new file or printed, never overwritten', async () => {
    const file = path.join(emptyDir(), 'secrets', 'payload-keys');
    const written = await runCli(['keys', 'payload', '--file', file, '--json']);
    assert.equal(written.code, 0, written.stderr);
    const report = JSON.parse(written.stdout) as { id: string; file: string; entry?: string };
    assert.deepEqual(Object.keys(report).sort(), ['file', 'id'], 'the key itself is not printed');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const [fromFile] = parsePayloadKeys(fs.readFileSync(file, 'utf8'));
    assert.equal(fromFile!.id, report.id);
    assert.match(report.id, /^k\d{8}-[0-9a-f]{4}$/);

    const printed = await runCli(['keys', 'payload']);
    assert.equal(printed.code, 0, printed.stderr);
    const entry = printed.stdout.trim();
    // Rotation: the printed key goes first, the file's key stays after it, and both are accepted.
    const config = loadConfig({
      PAYLOAD_KEYS: `${entry},${fs.readFileSync(file, 'utf8').trim()}`,
      STARK_PROJECT_ID: '1',
      STARK_PRIVATE_KEY: crypto
        .generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
        .privateKey.export({ type: 'sec1', format: 'pem' })
        .toString(),
      TEMPORAL_CONFIG_FILE: '/nonexistent',
    });
    const [newest, older] = config.temporal.payloadKeys;
    assert.notEqual(newest!.id, older!.id);
    const codec = createPayloadCodec(config.temporal.payloadKeys);
    const clear = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"hello"') };
    const [sealed] = await codec.encode([clear]);
    assert.equal(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString(), newest!.id);
    const [opened] = await codec.decode([sealed!]);
    assert.equal(Buffer.from(opened!.data!).toString(), '"hello"');

    const again = await runCli(['keys', 'payload', '--file', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: .*payload-keys already exists; not overwriting it/);
    assert.equal(parsePayloadKeys(fs.readFileSync(file, 'utf8'))[0]!.id, report.id, 'the key is untouched');
  });
});
