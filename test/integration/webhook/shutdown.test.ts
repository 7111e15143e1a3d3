import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { startWebhook, type RunningWebhook } from '../../../src/webhook';
import { WEBHOOK_PATH } from '../../../src/webhook/app';
import { generateProjectKeys, startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { serviceEnv } from '../../../testkit/serviceEnv';
import { postWebhook, signBody } from '../../helpers/webhookServer';

/** A credited event in Stark Bank's shape (the webhook only needs it well-formed and signed). */
function creditedBody(): Buffer {
  const event = {
    created: new Date().toISOString(),
    id: String(Math.floor(1e15 + Math.random() * 9e15)),
    log: {
      errors: [],
      id: randomUUID(),
      invoice: { amount: 1_000, fee: 0, id: String(Math.floor(1e15 + Math.random() * 9e15)), status: 'paid', tags: [] },
      type: 'credited',
    },
    subscription: 'invoice',
    workspaceId: '6010044957065216',
  };
  return Buffer.from(JSON.stringify({ event }));
}

describe('webhook readiness, keep-alive and drain (the real entry point, Temporal unreachable)', function () {
  this.timeout(60_000);
  const starkKeys = generateProjectKeys();
  let stark: TestEmulator;
  let hook: RunningWebhook | undefined;
  let closing: Promise<void> | undefined;

  before(async () => {
    stark = await startTestEmulator({ seed: randomUUID(), eventPrivateKeyPem: starkKeys.privateKeyPem });
    // Nothing listens on port 1: Temporal is down for the whole suite.
    const env = serviceEnv(
      stark,
      { address: '127.0.0.1:1', taskQueue: 'unused' },
      { TEMPORAL_CONFIG_FILE: '/nonexistent', WEBHOOK_DRAIN_TIME: '1s' },
    );
    hook = await startWebhook(loadConfig(env));
  });
  after(async () => {
    await (closing ?? hook?.close());
    await stark?.close();
  });

  const publicBase = () => hook!.url.replace(WEBHOOK_PATH, '');

  it('stays ready while Temporal is down, answering each event 503 so Stark Bank delivers it again', async () => {
    const ready = await fetch(`${hook!.adminUrl}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ready' }]);
    const body = creditedBody();
    const res = await postWebhook(hook!.url, body, { 'Digital-Signature': signBody(starkKeys.privateKeyPem, body) });
    assert.equal(res.status, 503);
  });

  it("keeps idle connections open longer than a load balancer's 60 s idle timeout", async () => {
    const res = await fetch(`${publicBase()}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('keep-alive'), 'timeout=65');
  });

  it('on close fails readiness, keeps serving through the drain, then stops accepting', async () => {
    closing = hook!.close();
    const ready = await fetch(`${hook!.adminUrl}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [503, { status: 'not ready', down: ['shutting-down'] }]);
    const during = await fetch(`${publicBase()}/healthz`);
    assert.equal(during.status, 200, 'still serving while the load balancer takes it out');
    assert.equal(during.headers.get('connection'), 'close', 'keep-alive clients reconnect elsewhere');
    await closing;
    await assert.rejects(fetch(`${publicBase()}/healthz`), 'no longer accepting after the drain');
  });
});
