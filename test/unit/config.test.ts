import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, loadSections } from '../../src/config';
import { MISSION_DESTINATION } from '../../src/domain/destination';
import { generatePayloadKey } from '../../src/temporal/payloadCodec';
import { cacheSizeForHeap, deploymentVersion } from '../../src/worker';
import { buildIdOf } from '../../src/temporal/workerDeployment';

const { privateKey } = crypto.generateKeyPairSync('ec', {
  namedCurve: 'secp256k1',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
});
const payloadKeys = `${generatePayloadKey('new')},${generatePayloadKey('old')}`;
const base = {
  PAYLOAD_KEYS: payloadKeys,
  STARK_PROJECT_ID: '5656565656565656',
  STARK_PRIVATE_KEY: privateKey,
  TEMPORAL_CONFIG_FILE: '/nonexistent',
};

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to local Temporal, the sandbox and the mission account', () => {
    const config = loadConfig(base);
    assert.equal(config.temporal.connectionOptions.address, 'localhost:7233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.taskQueue, 'starkbank-payouts');
    assert.equal(config.stark.environment, 'sandbox');
    assert.deepEqual(config.destination, MISSION_DESTINATION);
    assert.equal(config.stark.emulator, undefined);
    assert.deepEqual(config.admin, {
      host: '127.0.0.1',
      port: 9464,
      sdkMetricsAddress: undefined,
      payoutGauges: false,
      pauseAlertAfter: '1h',
    });
    assert.equal(loadConfig({ ...base, PAYOUT_PAUSE_ALERT_AFTER: '15m' }).admin.pauseAlertAfter, '15m');
    assert.equal(config.codec, undefined, 'no codec server without a token or an OIDC issuer');
  });

  it('follows Temporal conventions for the connection', () => {
    const config = loadConfig({ ...base, TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'payments' });
    assert.equal(config.temporal.connectionOptions.address, 'temporal:7233');
    assert.equal(config.temporal.namespace, 'payments');
  });

  it('reads the private key from a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'key.pem');
    fs.writeFileSync(file, privateKey);
    const config = loadConfig({ ...base, STARK_PRIVATE_KEY: undefined, STARK_PRIVATE_KEY_FILE: file });
    assert.equal(config.stark.privateKey, privateKey);
  });

  it('reads the payload keys, newest first, from the variable or a file', () => {
    const fromEnv = loadConfig(base).temporal.payloadKeys;
    assert.deepEqual(
      fromEnv.map((k) => k.id),
      ['new', 'old'],
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'payload-keys');
    fs.writeFileSync(file, `# rotated today\n${payloadKeys.replace(',', '\n')}\n`);
    const fromFile = loadConfig({ ...base, PAYLOAD_KEYS: undefined, PAYLOAD_KEYS_FILE: file }).temporal.payloadKeys;
    assert.deepEqual(fromFile, fromEnv);
  });

  it('refuses to start without a payload key, or with a malformed one, never showing it', () => {
    const missing = configError({ ...base, PAYLOAD_KEYS: undefined, STARK_PROJECT_ID: undefined });
    assert.match(missing.message, /PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: required/);
    assert.match(missing.message, /STARK_PROJECT_ID: required/, 'and names the other problems with it');
    // A new key reads nothing already written: the way out is the keys the deployment has, a new one comes last.
    const hint = missing.message.slice(missing.message.indexOf('PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: required'));
    assert.match(
      hint,
      /^[^.]*the keys this deployment already uses \(npm run dev keeps them in \.data\/keys\/payload-keys/,
    );
    assert.match(hint, /\/keys\/payload-keys/);
    assert.match(hint, /a new key reads nothing already written/);
    assert.ok(
      hint.indexOf('already uses') < hint.indexOf('keys payload'),
      'making a key is the last resort, after the keys already in use',
    );
    assert.doesNotMatch(hint.split('.')[0]!, /\b(make|generate|create)\b/i);
    const short = `bad:${Buffer.alloc(16, 7).toString('base64')}`;
    const malformed = configError({ ...base, PAYLOAD_KEYS: `${generatePayloadKey('ok')},${short}` });
    assert.match(malformed.message, /PAYLOAD_KEYS: entry 2 is not id:<32 bytes in base64>/);
    assert.ok(!malformed.message.includes(short.slice(4)), 'key material leaked into the error');
    const unreadable = configError({ ...base, PAYLOAD_KEYS: undefined, PAYLOAD_KEYS_FILE: '/nonexistent/keys' });
    assert.match(unreadable.message, /PAYLOAD_KEYS_FILE: cannot read \/nonexistent\/keys/);
  });

  it('serves the codec on its own port only with a long enough token, never showing a short one', () => {
    assert.equal(loadConfig(base).codec, undefined);
    const codec = loadConfig({ ...base, CODEC_TOKEN: 'a'.repeat(24), CODEC_CORS_ORIGINS: 'https://ui.example' }).codec;
    assert.deepEqual(codec, {
      host: '127.0.0.1',
      port: 9466,
      tokens: [{ id: 'web-ui', token: 'a'.repeat(24) }],
      oidc: undefined,
      allowedOrigins: ['https://ui.example'],
    });
    assert.notEqual(codec.port, loadConfig(base).admin.port, 'never the port /metrics is scraped on');
    const err = configError({ ...base, CODEC_TOKEN: 'secret-ish' });
    assert.match(err.message, /CODEC_TOKEN: must be at least 16 characters/);
    assert.ok(!err.message.includes('secret-ish'));
  });

  it("reads operators' codec tokens by id, and an OIDC issuer with its audience, never showing a token", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codec-tokens-'));
    const file = path.join(dir, 'tokens');
    fs.writeFileSync(file, `# operators\nana:${'b'.repeat(20)}\nci-replay:${'c'.repeat(32)}\n`);
    const codec = loadConfig({
      ...base,
      CODEC_TOKENS_FILE: file,
      CODEC_OIDC_ISSUER: 'https://id.example/realms/ops',
      CODEC_OIDC_AUDIENCE: 'temporal-ui',
    }).codec;
    assert.deepEqual(
      codec?.tokens.map((t) => t.id),
      ['ana', 'ci-replay'],
    );
    assert.deepEqual(codec?.oidc, { issuer: 'https://id.example/realms/ops', audience: 'temporal-ui' });
    assert.ok(loadConfig({ ...base, CODEC_OIDC_ISSUER: 'https://id.example', CODEC_OIDC_AUDIENCE: 'ui' }).codec);
    const bad = configError({
      ...base,
      CODEC_TOKEN: 'd'.repeat(20),
      CODEC_TOKENS: `web-ui:${'e'.repeat(20)},bob:short-secret`,
      CODEC_OIDC_ISSUER: 'https://id.example',
    });
    assert.match(bad.message, /CODEC_TOKENS: entry 2 is not id:<token of 16\+ characters>/);
    assert.match(bad.message, /CODEC_TOKENS: two tokens share an id/);
    assert.match(bad.message, /CODEC_OIDC_AUDIENCE: required with CODEC_OIDC_ISSUER/);
    for (const secret of ['short-secret', 'd'.repeat(20), 'e'.repeat(20)]) assert.ok(!bad.message.includes(secret));
  });

  it('names every bad setting in one error', () => {
    const err = configError({
      ...base,
      PAYOUT_MAX_AMOUNT_CENTS: '-5',
      WEBHOOK_PORT: 'http',
      STARK_ENVIRONMENT: 'prod',
    });
    assert.match(err.message, /PAYOUT_MAX_AMOUNT_CENTS/);
    assert.match(err.message, /WEBHOOK_PORT/);
    assert.match(err.message, /STARK_ENVIRONMENT/);
  });

  it('leaves four eyes off by default; reads PAYOUT_SECOND_APPROVAL_CENTS, refusing what is not cents', () => {
    assert.equal(loadConfig(base).guardrails.secondApprovalCents, undefined);
    assert.equal(loadConfig({ ...base, PAYOUT_SECOND_APPROVAL_CENTS: '' }).guardrails.secondApprovalCents, undefined);
    assert.equal(
      loadConfig({ ...base, PAYOUT_SECOND_APPROVAL_CENTS: ' 5000000 ' }).guardrails.secondApprovalCents,
      5_000_000,
    );
    for (const bad of ['0', '-5', '12.5', 'lots', '1e6']) {
      assert.match(
        configError({ ...base, PAYOUT_SECOND_APPROVAL_CENTS: bad }).message,
        new RegExp(`PAYOUT_SECOND_APPROVAL_CENTS: expected whole cents above 0 .*, or empty for off; got "${bad}"`),
      );
    }
  });

  it('names a malformed setting and a missing one of other sections in the same error', () => {
    // A schema error in one section must not hide what another section's build finds.
    const err = configError({ PAYLOAD_KEYS: payloadKeys, TEMPORAL_CONFIG_FILE: '/x', WEBHOOK_PORT: 'http' });
    assert.match(err.message, /WEBHOOK_PORT/);
    assert.match(err.message, /STARK_PROJECT_ID: required/);
  });

  it('loads only the sections asked for: Temporal and issuance need no Stark Bank key', () => {
    const config = loadSections(['temporal', 'issuance'], { PAYLOAD_KEYS: payloadKeys, TEMPORAL_CONFIG_FILE: '/x' });
    assert.equal(config.issuance.count.min, 8);
    assert.equal(config.temporal.taskQueue, 'starkbank-payouts');
    assert.ok(!('stark' in config));
    assert.throws(
      () => loadSections(['issuance'], { ISSUANCE_COUNT_MIN: '9', ISSUANCE_COUNT_MAX: '8' }),
      /ISSUANCE_COUNT_MIN: must not exceed ISSUANCE_COUNT_MAX/,
    );
  });

  it('requires credentials and says which', () => {
    const err = configError({ PAYLOAD_KEYS: payloadKeys, TEMPORAL_CONFIG_FILE: '/x' });
    assert.match(err.message, /STARK_PROJECT_ID: required/);
    assert.match(
      err.message,
      /STARK_PRIVATE_KEY or STARK_PRIVATE_KEY_FILE: required, the key registered with the project/,
    );
    assert.ok(err.message.indexOf('registered with the project') < err.message.indexOf('keys create'));
  });

  it('never shows the private key, even when it is the bad setting', () => {
    const almostKey = privateKey.replace('EC PRIVATE KEY', 'PRIVATE KEY');
    const err = configError({ ...base, STARK_PRIVATE_KEY: almostKey });
    assert.match(err.message, /STARK_PRIVATE_KEY/);
    const body = privateKey.split('\n')[1]!;
    assert.ok(!err.message.includes(body.slice(0, 20)), 'key material leaked into the error');
  });

  it('refuses the emulator outside the sandbox environment and without its CA', () => {
    const noCa = configError({ ...base, STARK_EMULATOR_ADDRESS: '127.0.0.1:8443' });
    assert.match(noCa.message, /STARK_EMULATOR_CA_FILE/);
    const bad = configError({ ...base, STARK_EMULATOR_ADDRESS: 'nope' });
    assert.match(bad.message, /host:port/);
  });
});

describe('the worker deployment version', () => {
  it('is named after the task queue, with the package version and git sha unless configured; off on request', () => {
    const version = deploymentVersion(loadConfig({ ...base, TEMPORAL_TASK_QUEUE: 'payouts-br' }));
    assert.equal(version?.deploymentName, 'payouts-br');
    assert.match(version?.buildId ?? '', /^\d+\.\d+\.\d+\+[0-9a-f]{7,}$/);
    const configured = loadConfig({ ...base, WORKER_DEPLOYMENT_NAME: 'payouts', WORKER_BUILD_ID: '1.2.3+abc' });
    assert.deepEqual(deploymentVersion(configured), { deploymentName: 'payouts', buildId: '1.2.3+abc' });
    assert.equal(deploymentVersion(loadConfig({ ...base, WORKER_VERSIONING: 'false' })), undefined);
    // The server separates deployment and build id with ':'.
    assert.match(configError({ ...base, WORKER_BUILD_ID: 'a:b' }).message, /WORKER_BUILD_ID/);
  });

  it('falls back to the hash of the bundle, so two builds without git never share an id', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
    const [a, b] = ['a', 'b'].map((code) => {
      const file = path.join(dir, `${code}.js`);
      fs.writeFileSync(file, code);
      return file;
    });
    const noGit = () => undefined;
    assert.equal(buildIdOf('given', a, noGit), 'given');
    assert.match(buildIdOf(undefined, a, noGit), /^\d+\.\d+\.\d+\+bundle-[0-9a-f]{12}$/);
    assert.notEqual(buildIdOf(undefined, a, noGit), buildIdOf(undefined, b, noGit));
    assert.match(buildIdOf(undefined, undefined, noGit), /\+dev$/);
  });
});

describe('the worker cache sized from its heap', () => {
  it('keeps a third of the heap for cached payouts at 256 KiB each, and never fewer than 50', () => {
    assert.equal(cacheSizeForHeap(384 * 2 ** 20), 512);
    assert.equal(cacheSizeForHeap(768 * 2 ** 20), 1024);
    assert.equal(cacheSizeForHeap(2 ** 20), 50);
  });
});
