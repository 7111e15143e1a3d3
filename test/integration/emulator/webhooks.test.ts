import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { sleep, waitUntil, WebhookReceiver, all } from './support';

const anInvoice = (): starkbank.Invoice =>
  new starkbank.Invoice({ amount: 4321, name: 'João Araújo', taxId: '01234567890' });

describe('emulator: webhook delivery', () => {
  let t: TestEmulator;
  let receiver: WebhookReceiver;

  async function setUp(statusFor: (i: number) => number, timeScale: number): Promise<void> {
    t = await startTestEmulator({ behaviour: { payShare: 0, timeScale } });
    receiver = new WebhookReceiver(statusFor);
    const url = await receiver.start();
    await starkbank.webhook.create({ url, subscriptions: ['invoice'], user: t.user });
  }
  afterEach(async () => {
    await receiver.close();
    await t.close();
  });

  it('delivers a body signed over its exact bytes, in sorted-key Python style, that event.parse accepts', async () => {
    await setUp(() => 200, 1);
    const [invoice] = await starkbank.invoice.create([anInvoice()], { user: t.user });
    const [delivery] = await receiver.waitFor(1);
    assert.ok(invoice && delivery);
    assert.match(delivery.body, /^\{"event": \{"created": "[^"]+", "id": "\d{16}", "log": \{"created": /);
    assert.ok(!delivery.body.includes('isDelivered'));
    assert.ok(delivery.body.includes('"fine": 2.0, "fineAmount": 0'));
    assert.ok(delivery.body.includes('"name": "Jo\\u00e3o Ara\\u00fajo"'), 'non-ASCII escaped like json.dumps');

    const event = await starkbank.event.parse({ content: delivery.body, signature: delivery.signature, user: t.user });
    assert.equal(event.subscription, 'invoice');
    assert.equal((event.log as { invoice: { id: string } }).invoice.id, invoice.id);

    const tampered = delivery.body.replace('"amount": 4321', '"amount": 4329');
    assert.notEqual(tampered, delivery.body);
    await assert.rejects(
      starkbank.event.parse({ content: tampered, signature: delivery.signature, user: t.user }),
      (e: Error) => e instanceof starkbank.error.InvalidSignatureError,
    );
    await waitUntil(() => t.emulator.snapshot().events[0]?.isDelivered, 1_000, 'isDelivered');
    assert.equal((await starkbank.event.get(event.id, { user: t.user })).isDelivered, true);
  });

  it('delivers an injected event of any shape, signed like the others', async () => {
    await setUp(() => 200, 1);
    const injected = t.emulator.injectEvent({ subscription: 'invoice', log: { id: 'x1', type: 'credited' } });
    const [delivery] = await receiver.waitFor(1);
    const event = await starkbank.event.parse({
      content: delivery!.body,
      signature: delivery!.signature,
      user: t.user,
    });
    assert.equal(event.id, injected.id);
    assert.deepEqual(event.log, { id: 'x1', type: 'credited' });
  });

  it('retries after 5 and 30 (scaled) minutes and stops at the first 200', async () => {
    await setUp((i) => (i < 2 ? 500 : 200), 0.001); // retries after 300 ms, then 1 800 ms
    await starkbank.invoice.create([anInvoice()], { user: t.user });
    const deliveries = await receiver.waitFor(3, 5_000);
    await sleep(200);
    assert.equal(receiver.deliveries.length, 3, 'no delivery after the 200');
    const [first, second, third] = deliveries.map((d) => d.at);
    assert.ok(first !== undefined && second !== undefined && third !== undefined);
    assert.ok(second - first >= 280 && second - first < 1_000, `first retry after ${second - first} ms`);
    assert.ok(third - second >= 1_750 && third - second < 2_800, `second retry after ${third - second} ms`);
    const [event] = t.emulator.snapshot().events;
    assert.ok(event);
    const attempts = await all(starkbank.event.attempt.query({ eventIds: [event.id], user: t.user }));
    assert.equal(attempts.length, 2);
    assert.deepEqual(
      attempts.map((a) => a.code),
      ['badHttpStatus', 'badHttpStatus'],
    );
    assert.equal((await starkbank.event.get(event.id, { user: t.user })).isDelivered, true);
  });

  it('gives up after three retries; the event stays undelivered until the consumer marks it', async () => {
    await setUp(() => 500, 0.0001); // retries after 30, 180 and 720 ms
    await starkbank.invoice.create([anInvoice()], { user: t.user });
    await receiver.waitFor(4, 3_000);
    await sleep(400);
    assert.equal(receiver.deliveries.length, 4);
    assert.equal(t.emulator.snapshot().attempts.length, 4);
    const undelivered = await all(starkbank.event.query({ isDelivered: false, user: t.user }));
    assert.equal(undelivered.length, 1);
    const [event] = undelivered;
    assert.ok(event);
    await starkbank.event.update(event.id, { isDelivered: true, user: t.user });
    const still = await all(starkbank.event.query({ isDelivered: false, user: t.user }));
    assert.equal(still.length, 0);
  });

  it('manages webhooks: query, get, delete; a deleted webhook gets nothing more', async () => {
    await setUp(() => 200, 1);
    const hooks = await all(starkbank.webhook.query({ user: t.user }));
    assert.equal(hooks.length, 1);
    const [hook] = hooks;
    assert.ok(hook);
    assert.deepEqual((await starkbank.webhook.get(hook.id, { user: t.user })).subscriptions, ['invoice']);
    await starkbank.webhook.delete(hook.id, { user: t.user });
    await starkbank.invoice.create([anInvoice()], { user: t.user });
    await sleep(100);
    assert.equal(receiver.deliveries.length, 0);
  });
});
