import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { all, PINNED_ACCOUNT, rejectsWith, WebhookReceiver } from './support';

describe('emulator: invoice reversals', () => {
  let t: TestEmulator;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    t = await startTestEmulator({ behaviour: { payShare: 0 } });
    receiver = new WebhookReceiver();
    await starkbank.webhook.create({ url: await receiver.start(), subscriptions: ['invoice'], user: t.user });
  });
  afterEach(async () => {
    await receiver.close();
    await t.close();
  });

  async function paidInvoice(amount: number): Promise<starkbank.Invoice> {
    const drafts = [new starkbank.Invoice({ amount, name: 'Fabio', taxId: '01234567890' })];
    const [invoice] = await starkbank.invoice.create(drafts, { user: t.user });
    assert.ok(invoice);
    t.emulator.payInvoice(invoice.id);
    return invoice;
  }

  const reverseTo = (id: string, amount: number): Promise<starkbank.Invoice> =>
    starkbank.invoice.update(id, { amount, user: t.user });

  const balance = async (): Promise<number> => (await starkbank.balance.get({ user: t.user })).amount;

  async function history(id: string): Promise<[string, string, number][]> {
    const logs = await all(starkbank.invoice.log.query({ invoiceIds: [id], user: t.user }));
    return logs.reverse().map((l) => [l.type, l.invoice.status, l.invoice.amount]);
  }

  it('reverses part of a paid invoice, then more, then all that is left', async () => {
    const invoice = await paidInvoice(10_000);
    assert.equal(await balance(), 10_000);

    const partly = await reverseTo(invoice.id, 7_000);
    assert.equal(partly.status, 'paid');
    assert.equal(partly.amount, 7_000);
    assert.equal(partly.nominalAmount, 10_000, 'the emission value stays');
    assert.equal(await balance(), 7_000);
    await reverseTo(invoice.id, 6_500);
    assert.equal(await balance(), 6_500);
    const fully = await reverseTo(invoice.id, 0);
    assert.equal(fully.amount, 0);
    assert.equal(await balance(), 0);

    assert.deepEqual(await history(invoice.id), [
      ['created', 'created', 10_000],
      ['paid', 'paid', 10_000],
      ['credited', 'paid', 10_000],
      ['reversed', 'paid', 7_000],
      ['reversed', 'paid', 6_500],
      ['reversed', 'paid', 0],
    ]);
    const reversedLogs = await all(starkbank.invoice.log.query({ types: ['reversed'], user: t.user }));
    assert.equal(reversedLogs.length, 3);
    await receiver.waitFor(6);
    assert.deepEqual(
      receiver
        .events()
        .filter((e) => e.log.type === 'reversed')
        .map((e) => [e.subscription, e.log.invoice?.id]),
      [
        ['invoice', invoice.id],
        ['invoice', invoice.id],
        ['invoice', invoice.id],
      ],
    );
    await rejectsWith(reverseTo(invoice.id, 0), 400, ['invalidAmount']);
  });

  it('refuses a higher, equal or negative amount and any other change once paid', async () => {
    const invoice = await paidInvoice(5_000);
    await rejectsWith(reverseTo(invoice.id, 6_000), 400, ['invalidAmount']);
    await rejectsWith(reverseTo(invoice.id, 5_000), 400, ['invalidAmount']);
    await rejectsWith(reverseTo(invoice.id, -1), 400, ['invalidAmount']);
    await rejectsWith(starkbank.invoice.update(invoice.id, { expiration: 60, user: t.user }), 400, [
      'invalidInvoiceStatus',
    ]);
    await rejectsWith(starkbank.invoice.update(invoice.id, { amount: 100, expiration: 60, user: t.user }), 400, [
      'invalidInvoiceStatus',
    ]);
    assert.equal(await balance(), 5_000);
    assert.deepEqual(
      (await history(invoice.id)).map(([type]) => type),
      ['created', 'paid', 'credited'],
    );
  });

  it('refuses a reversal the balance cannot cover', async () => {
    const invoice = await paidInvoice(3_000);
    const [transfer] = await starkbank.transfer.create([new starkbank.Transfer({ ...PINNED_ACCOUNT, amount: 2_500 })], {
      user: t.user,
    });
    assert.ok(transfer);
    t.emulator.settleTransfer(transfer.id, 'success');
    assert.equal(await balance(), 500);
    await rejectsWith(reverseTo(invoice.id, 0), 400, ['invalidBalance']);
    await reverseTo(invoice.id, 2_600);
    assert.equal(await balance(), 100);
  });
});
