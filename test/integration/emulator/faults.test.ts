import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { PINNED_ACCOUNT, rejectsWith, sleep, waitUntil, WebhookReceiver, all } from './support';

const anInvoice = (amount = 1000): starkbank.Invoice =>
  new starkbank.Invoice({ amount, name: 'Ana', taxId: '01234567890' });

describe('emulator: fault injection', () => {
  let t: TestEmulator;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    t = await startTestEmulator({ initialBalance: 1_000, behaviour: { payShare: 0, transferSendDelayMs: 60_000 } });
    receiver = new WebhookReceiver();
    await starkbank.webhook.create({ url: await receiver.start(), subscriptions: ['invoice'], user: t.user });
  });
  afterEach(async () => {
    await receiver.close();
    await t.close();
  });

  it('answers 500 internalError for a one-shot rule, creating nothing, then recovers', async () => {
    t.emulator.setFaults({ rules: [{ kind: 'error', method: 'POST', path: '/v2/invoice' }] });
    await rejectsWith(starkbank.invoice.create([anInvoice()], { user: t.user }), 500);
    assert.equal(t.emulator.snapshot().invoices.length, 0);
    await starkbank.invoice.create([anInvoice()], { user: t.user });
    assert.equal(t.emulator.snapshot().invoices.length, 1);
    assert.deepEqual(t.emulator.getFaults().rules, [], 'the rule is used up');
  });

  it('answers 500 to every request at errorRate 1', async () => {
    t.emulator.setFaults({ errorRate: 1 });
    await rejectsWith(starkbank.balance.get({ user: t.user }), 500);
    t.emulator.setFaults({ errorRate: 0 });
    await starkbank.balance.get({ user: t.user });
  });

  it('holds a slow response for slowDelayMs', async () => {
    t.emulator.setFaults({ slowDelayMs: 300, rules: [{ kind: 'slow', path: '/v2/balance' }] });
    const started = Date.now();
    await starkbank.balance.get({ user: t.user });
    assert.ok(Date.now() - started >= 290, `took ${Date.now() - started} ms`);
    const again = Date.now();
    await starkbank.balance.get({ user: t.user });
    assert.ok(Date.now() - again < 250);
  });

  it('drops the response after committing: the SDK fails but the transfer exists', async () => {
    t.emulator.setFaults({ rules: [{ kind: 'dropAfterCommit', method: 'POST', path: '/v2/transfer' }] });
    const draft = new starkbank.Transfer({
      ...PINNED_ACCOUNT,
      amount: 100,
      externalId: 'payout-77',
      tags: ['payout-77'],
    });
    const error = await starkbank.transfer.create([draft], { user: t.user }).then(
      () => assert.fail('expected the response to be lost'),
      (e: { status?: number; code?: string }) => e,
    );
    assert.equal(error.status, undefined, 'no HTTP answer at all');
    const found = await all(starkbank.transfer.query({ tags: ['payout-77'], user: t.user }));
    assert.equal(found.length, 1);
    assert.equal(found[0]?.externalId, 'payout-77');
  });

  it('delivers an event twice for a duplicateDelivery rule', async () => {
    t.emulator.setFaults({ rules: [{ kind: 'duplicateDelivery', subscription: 'invoice', logType: 'created' }] });
    await starkbank.invoice.create([anInvoice()], { user: t.user });
    const [a, b] = await receiver.waitFor(2);
    assert.ok(a && b);
    assert.equal(a.body, b.body);
    for (const { body, signature } of [a, b]) await starkbank.event.parse({ content: body, signature, user: t.user });
    await starkbank.invoice.create([anInvoice()], { user: t.user });
    await receiver.waitFor(3);
    await sleep(100);
    assert.equal(receiver.deliveries.length, 3, 'one-shot');
  });

  it('holds deliveries while paused and sends them on resume', async () => {
    t.emulator.pauseDeliveries();
    await starkbank.invoice.create([anInvoice()], { user: t.user });
    await sleep(150);
    assert.equal(receiver.deliveries.length, 0);
    assert.equal(t.emulator.snapshot().heldDeliveries, 1);
    t.emulator.resumeDeliveries();
    await receiver.waitFor(1);
    await waitUntil(() => t.emulator.snapshot().events[0]?.isDelivered, 1_000, 'isDelivered');
  });

  it('delivers out of order when asked: some credited events arrive before their paid event', async () => {
    t.emulator.pauseDeliveries();
    const invoices = await starkbank.invoice.create(
      Array.from({ length: 10 }, (_, i) => anInvoice(100 + i)),
      { user: t.user },
    );
    for (const invoice of invoices) t.emulator.payInvoice(invoice.id);
    t.emulator.setFaults({ outOfOrderDelivery: true, outOfOrderMaxDelayMs: 50 });
    t.emulator.resumeDeliveries();
    await receiver.waitFor(30);
    const arrived = receiver.events();
    const created = t.emulator.snapshot().events.map((e) => e.id);
    assert.notDeepEqual(
      arrived.map((e) => e.id),
      created,
    );
    const position = (invoiceId: string, type: string): number =>
      arrived.findIndex((e) => e.log.invoice?.id === invoiceId && e.log.type === type);
    const creditedFirst = invoices.filter((i) => position(i.id, 'credited') < position(i.id, 'paid'));
    assert.ok(creditedFirst.length > 0, 'at least one credited before its paid');
  });
});
