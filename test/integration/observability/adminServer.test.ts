import assert from 'node:assert/strict';
import { startAdminServer, type RunningAdminServer } from '../../../src/observability/adminServer';

describe('admin server (real HTTP): metrics, health and readiness', () => {
  let admin: RunningAdminServer;
  let down: string[] = [];

  before(async () => {
    admin = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      checkReady: () => Promise.resolve(down),
    });
  });
  after(() => admin?.close());

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

  it('serves no codec: the codec server has a port of its own, out of reach of whatever scrapes /metrics', async () => {
    for (const path of ['/codec/decode', '/codec/some-token/decode']) {
      const answer = await fetch(`${admin.url}${path}`, { method: 'POST', body: '{"payloads":[]}' });
      assert.equal(answer.status, 404, path);
    }
  });
});
