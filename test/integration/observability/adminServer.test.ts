import assert from 'node:assert/strict';
import { startAdminServer, type RunningAdminServer } from '../../../src/observability/adminServer';
import { createPayloadCodec, generatePayloadKey, parsePayloadKeys } from '../../../src/temporal/payloadCodec';

const TOKEN = 'codec-token-of-this-test-0123';
const UI = 'http://127.0.0.1:8233';
const keys = parsePayloadKeys(generatePayloadKey('admin-test'));
const wire = (value: unknown) => ({
  payloads: [
    {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(JSON.stringify(value)).toString('base64'),
    },
  ],
});

describe('admin server (real HTTP): metrics, health, readiness and the Web UI codec', () => {
  let admin: RunningAdminServer;
  let down: string[] = [];

  before(async () => {
    admin = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      checkReady: () => Promise.resolve(down),
      codec: { codec: createPayloadCodec(keys), token: TOKEN, allowedOrigins: [UI] },
    });
  });
  after(() => admin?.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${admin.url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('answers health, metrics and readiness, naming what is down and nothing more', async () => {
    assert.equal((await fetch(`${admin.url}/healthz`)).status, 200);
    const metrics = await fetch(`${admin.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    assert.deepEqual(await (await fetch(`${admin.url}/readyz`)).json(), { status: 'ready' });
    down = ['temporal'];
    const notReady = await fetch(`${admin.url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), { status: 'not ready', down: ['temporal'] });
    down = [];
    assert.equal((await fetch(`${admin.url}/nothing`)).status, 404);
  });

  it('encodes and decodes for a caller with the token, in the path or as a Bearer header', async () => {
    const encoded = await post(`/codec/${TOKEN}/encode`, wire({ name: 'Maria' }));
    assert.equal(encoded.status, 200);
    const sealed = (await encoded.json()) as ReturnType<typeof wire>;
    assert.ok(!Buffer.from(sealed.payloads[0]!.data, 'base64').toString().includes('Maria'));
    const decoded = await post('/codec/decode', sealed, { Authorization: `Bearer ${TOKEN}` });
    assert.equal(decoded.status, 200);
    const opened = (await decoded.json()) as ReturnType<typeof wire>;
    assert.deepEqual(JSON.parse(Buffer.from(opened.payloads[0]!.data, 'base64').toString()), { name: 'Maria' });
  });

  it('refuses a caller without the right token, a malformed body and payloads of another key', async () => {
    assert.equal((await post('/codec/decode', wire(1))).status, 401);
    assert.equal((await post(`/codec/${TOKEN}x/decode`, wire(1))).status, 401);
    assert.equal((await post('/codec/decode', wire(1), { Authorization: 'Bearer nope' })).status, 401);
    assert.equal((await post(`/codec/${TOKEN}/decode`, { payload: [] })).status, 400);
    const [foreign] = await createPayloadCodec(parsePayloadKeys(generatePayloadKey('other'))).encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') },
    ]);
    const refused = await post(`/codec/${TOKEN}/decode`, {
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
    const preflight = await fetch(`${admin.url}/codec/${TOKEN}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI, 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), UI);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const stranger = await fetch(`${admin.url}/codec/${TOKEN}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
  });
});
