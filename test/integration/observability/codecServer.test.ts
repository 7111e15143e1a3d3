import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pino from 'pino';
import { createCodecAuthenticator } from '../../../src/temporal/codecAuth';
import { listenCodecServer, type RunningCodecServer } from '../../../src/temporal/codecServer';
import { createPayloadCodec, generatePayloadKey, parsePayloadKeys } from '../../../src/temporal/payloadCodec';
import { createRemoteCodec } from '../../../src/temporal/remoteCodec';
import { startTestIssuer, type TestIssuer } from '../../../testkit/oidcIssuer';

const UI_TOKEN = 'codec-token-of-the-web-ui-0123';
const OPS_TOKEN = 'codec-token-of-operator-ana-4567';
const UI = 'http://127.0.0.1:8233';
const AUDIENCE = 'temporal-ui';
const keys = parsePayloadKeys(generatePayloadKey('codec-test'));
const wire = (value: unknown) => ({
  payloads: [
    {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(JSON.stringify(value)).toString('base64'),
    },
  ],
});

/**
 * The codec server over real HTTP: the Web UI's token in the path, operators' tokens as a Bearer header, and the
 * access token of a user signed in through OpenID Connect (as the Web UI forwards it), checked against a real
 * issuer's published keys. Every decode is logged with who asked, never with a token.
 */
describe('codec server (real HTTP): tokens, OIDC users, and who asked', () => {
  let codec: RunningCodecServer;
  let issuer: TestIssuer;
  const logs: Record<string, unknown>[] = [];
  const logText: string[] = [];

  before(async () => {
    issuer = await startTestIssuer(AUDIENCE);
    codec = await listenCodecServer(
      { host: '127.0.0.1', port: 0 },
      {
        codec: createPayloadCodec(keys),
        authenticate: createCodecAuthenticator(
          {
            tokens: [
              { id: 'web-ui', token: UI_TOKEN },
              { id: 'ana', token: OPS_TOKEN },
            ],
            oidc: { issuer: issuer.issuer, audience: AUDIENCE },
            // Rotation is tested below without waiting out the refetch limit.
          },
          { minKeyRefetchMs: 0 },
        ),
        allowedOrigins: [UI],
        logger: pino(
          { level: 'info' },
          {
            write: (line: string) => {
              logText.push(line);
              logs.push(JSON.parse(line) as Record<string, unknown>);
            },
          },
        ),
      },
    );
  });
  after(async () => {
    await codec?.close();
    await issuer?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${codec.url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const lastLog = () => logs.at(-1)!;

  it("encodes and decodes for the Web UI's token in the path and an operator's as a Bearer header", async () => {
    const encoded = await post(`/codec/${UI_TOKEN}/encode`, wire({ name: 'Maria' }), { 'X-Namespace': 'default' });
    assert.equal(encoded.status, 200);
    assert.deepEqual(
      { who: lastLog().who, direction: lastLog().direction, payloads: lastLog().payloads },
      { who: 'token:web-ui', direction: 'encode', payloads: 1 },
    );
    const sealed = (await encoded.json()) as ReturnType<typeof wire>;
    assert.ok(!Buffer.from(sealed.payloads[0]!.data, 'base64').toString().includes('Maria'));
    const decoded = await post('/codec/decode', sealed, { Authorization: `Bearer ${OPS_TOKEN}` });
    assert.equal(decoded.status, 200);
    const opened = (await decoded.json()) as ReturnType<typeof wire>;
    assert.deepEqual(JSON.parse(Buffer.from(opened.payloads[0]!.data, 'base64').toString()), { name: 'Maria' });
    assert.equal(lastLog().who, 'token:ana');
    assert.equal(lastLog().msg, 'codec: decode');
  });

  it('is what the ops CLI decodes through: a remote codec that never holds the keys', async () => {
    const remote = createRemoteCodec({
      endpoint: `${codec.url}/codec`,
      authorization: `Bearer ${OPS_TOKEN}`,
      namespace: 'default',
    });
    const clear = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"taxId":"1"}') };
    const [sealed] = await remote.encode([clear]);
    assert.ok(!Buffer.from(sealed!.data!).toString().includes('taxId'));
    const [opened] = await createPayloadCodec(keys).decode([sealed!]);
    assert.equal(Buffer.from(opened!.data!).toString(), '{"taxId":"1"}');
    const refused = createRemoteCodec({ endpoint: `${codec.url}/codec`, authorization: 'Bearer nope', namespace: 'x' });
    await assert.rejects(refused.decode([sealed!]), /refused the credentials/);
  });

  it('decodes for a user signed in through OIDC, whose access token the Web UI forwards, and logs that user', async () => {
    const sealed = (await (await post(`/codec/${UI_TOKEN}/encode`, wire(7))).json()) as ReturnType<typeof wire>;
    for (const alg of ['RS256', 'ES256'] as const) {
      const token = issuer.token({ email: 'ana@bank.example' }, { alg });
      const decoded = await post('/codec/decode', sealed, { Authorization: `Bearer ${token}`, Origin: UI });
      assert.equal(decoded.status, 200, alg);
      assert.equal(lastLog().who, 'user:ana@bank.example', alg);
    }
    const bySub = await post('/codec/decode', sealed, { Authorization: `Bearer ${issuer.token({ sub: 'u-42' })}` });
    assert.equal(bySub.status, 200);
    assert.equal(lastLog().who, 'user:u-42');
  });

  it('picks up a rotated issuer key, refetching the keys only for an unknown key id', async () => {
    const sealed = (await (await post(`/codec/${UI_TOKEN}/encode`, wire(8))).json()) as ReturnType<typeof wire>;
    const before = issuer.jwksFetches();
    issuer.rotate('rsa-2');
    const decoded = await post('/codec/decode', sealed, {
      Authorization: `Bearer ${issuer.token({}, { kid: 'rsa-2' })}`,
    });
    assert.equal(decoded.status, 200);
    assert.equal(issuer.jwksFetches(), before + 1);
    await post('/codec/decode', sealed, { Authorization: `Bearer ${issuer.token()}` });
    assert.equal(issuer.jwksFetches(), before + 1, 'a known key id is not refetched');
  });

  it('refuses expired, foreign, forged and unsigned access tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const [h, p] = issuer.token().split('.') as [string, string];
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const hmac = (signed: string) => crypto.createHmac('sha256', 'guess').update(signed).digest('base64url');
    const hs = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${p}`;
    const refusedTokens = {
      expired: issuer.token({ exp: now - 3600 }),
      'not yet valid': issuer.token({ nbf: now + 3600 }),
      'another audience': issuer.token({ aud: 'some-other-app' }),
      'another issuer': issuer.token({ iss: 'https://evil.example' }),
      'a changed payload': `${h}.${b64({ iss: issuer.issuer, aud: AUDIENCE, sub: 'admin', exp: now + 60 })}.${issuer.token().split('.')[2]}`,
      unsigned: `${b64({ alg: 'none' })}.${p}.`,
      'HMAC with a guessed secret': `${hs}.${hmac(hs)}`,
    };
    for (const [what, token] of Object.entries(refusedTokens)) {
      const answer = await post('/codec/decode', wire(1), { Authorization: `Bearer ${token}` });
      assert.equal(answer.status, 401, what);
    }
  });

  it('refuses a caller without a known token, a malformed body and payloads of another key', async () => {
    assert.equal((await post('/codec/decode', wire(1))).status, 401);
    assert.equal((await post(`/codec/${UI_TOKEN}x/decode`, wire(1))).status, 401);
    assert.equal((await post('/codec/decode', wire(1), { Authorization: 'Bearer nope' })).status, 401);
    assert.equal((await post(`/codec/${UI_TOKEN}/decode`, { payload: [] })).status, 400);
    const [foreign] = await createPayloadCodec(parsePayloadKeys(generatePayloadKey('other'))).encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') },
    ]);
    const refused = await post(`/codec/${UI_TOKEN}/decode`, {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(foreign!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(foreign!.data!).toString('base64'),
        },
      ],
    });
    assert.equal(refused.status, 422);
    assert.doesNotMatch(await refused.text(), /other/, 'no key id in the answer');
  });

  it("lets only the Web UI's origin call it from a browser", async () => {
    const preflight = await fetch(`${codec.url}/codec/${UI_TOKEN}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI, 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), UI);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const stranger = await fetch(`${codec.url}/codec/${UI_TOKEN}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
    const posted = await post(`/codec/${UI_TOKEN}/decode`, wire(1), { Origin: 'https://evil.example' });
    assert.equal(posted.status, 403);
  });

  it('never writes a token into its log', () => {
    assert.ok(logs.length > 5);
    const text = logText.join('');
    for (const secret of [UI_TOKEN, OPS_TOKEN, issuer.token().split('.')[2]!]) assert.ok(!text.includes(secret));
    assert.ok(!text.includes('eyJ'), 'no JWT in the log');
  });
});
