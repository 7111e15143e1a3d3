import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { all, rejectsWith, sleep, waitUntil, WebhookReceiver } from './support';

const draft = (i: number): starkbank.Invoice =>
  new starkbank.Invoice({ amount: 1000 + i, name: `Payer ${i}`, taxId: '01234567890', tags: [`Batch-${i % 3}`] });

describe('emulator: invoices', () => {
  describe('create, query and paging', () => {
    let t: TestEmulator;
    before(async () => (t = await startTestEmulator({ behaviour: { payShare: 0 } })));
    after(() => t.close());

    it('creates 250 invoices in three calls and pages through them with the cursor', async () => {
      const drafts = Array.from({ length: 250 }, (_, i) => draft(i));
      for (const chunk of [drafts.slice(0, 100), drafts.slice(100, 200), drafts.slice(200)]) {
        const created = await starkbank.invoice.create(chunk, { user: t.user });
        assert.equal(created.length, chunk.length);
      }
      const first = await starkbank.invoice.create([draft(0)], { user: t.user }).then((list) => list[0]);
      assert.ok(first);
      assert.match(first.id, /^[1-9]\d{15}$/);
      assert.equal(first.taxId, '012.345.678-90', 'tax ID echoed formatted');
      assert.deepEqual(first.tags, ['batch-0'], 'tags lower-cased');
      assert.equal(first.status, 'created');
      assert.match(first.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);

      const limited = await all(starkbank.invoice.query({ limit: 30, user: t.user }));
      assert.equal(limited.length, 30);
      assert.equal(limited[0]?.id, first.id, 'newest first');

      const ids = (await all(starkbank.invoice.query({ user: t.user }))).map((x) => x.id);
      assert.equal(ids.length, 251);
      assert.equal(new Set(ids).size, 251);

      let cursor: string | null = null;
      const pages: number[] = [];
      do {
        const [page, next]: [starkbank.Invoice[], string | null] = await starkbank.invoice.page({
          limit: 100,
          cursor: cursor ?? undefined,
          user: t.user,
        });
        pages.push(page.length);
        cursor = next;
      } while (cursor);
      assert.deepEqual(pages, [100, 100, 51]);
    });

    it('filters by tags (any), status and ids, and gets one by id', async () => {
      const tagged = await all(starkbank.invoice.query({ tags: ['batch-1', 'nope'], user: t.user }));
      assert.equal(tagged.length, 83);
      const paid = await all(starkbank.invoice.query({ status: 'paid', user: t.user }));
      assert.equal(paid.length, 0);
      const some = tagged.slice(0, 2).map((i) => i.id);
      const byIds = (await all(starkbank.invoice.query({ ids: some, user: t.user }))).map((x) => x.id);
      assert.deepEqual(byIds.sort(), [...some].sort());
      const one = await starkbank.invoice.get(some[0] as string, { user: t.user });
      assert.equal(one.id, some[0]);
      await rejectsWith(starkbank.invoice.get('1234567890123456', { user: t.user }), 404);
    });

    it('answers 400 with one error per problem for invalid tax IDs and amounts', async () => {
      const error = await rejectsWith(
        starkbank.invoice.create(
          [
            new starkbank.Invoice({ amount: 100, name: 'A', taxId: '012.345.678-91' }),
            new starkbank.Invoice({ amount: -5, name: 'B', taxId: '20.018.183/0001-80' }),
            new starkbank.Invoice({ amount: 10.5, name: 'C', taxId: '123' }),
          ],
          { user: t.user },
        ),
        400,
        ['invalidAmount', 'invalidTaxId'],
      );
      assert.equal(error.errors?.length, 4);
      assert.equal(t.emulator.snapshot().invoices.length, 251, 'nothing created');
    });

    it('refuses more than 100 invoices per call', async () => {
      const drafts = Array.from({ length: 101 }, (_, i) => draft(i));
      await rejectsWith(starkbank.invoice.create(drafts, { user: t.user }), 400, ['tooManyItems']);
    });
  });

  describe('lifecycle', () => {
    let t: TestEmulator;
    before(
      async () =>
        (t = await startTestEmulator({
          behaviour: { payShare: 1, payDelayMinMs: 20, payDelayMaxMs: 40, creditDelayMs: 20, invoiceFee: 25 },
        })),
    );
    after(() => t.close());

    it('pays and credits an invoice on its own: logs created, paid, credited; status stays paid', async () => {
      const [invoice] = await starkbank.invoice.create(
        [new starkbank.Invoice({ amount: 12345, name: 'Ana', taxId: '01234567890' })],
        {
          user: t.user,
        },
      );
      assert.ok(invoice);
      await waitUntil(
        () => t.emulator.snapshot().invoiceLogs.some((l) => l.type === 'credited'),
        3_000,
        'credited log',
      );
      const logs = (await all(starkbank.invoice.log.query({ invoiceIds: [invoice.id], user: t.user }))).reverse();
      assert.deepEqual(
        logs.map((l) => [l.type, l.invoice.status]),
        [
          ['created', 'created'],
          ['paid', 'paid'],
          ['credited', 'paid'],
        ],
      );
      const credited = await all(starkbank.invoice.log.query({ types: ['credited'], user: t.user }));
      assert.equal(credited[0]?.invoice.amount, 12345);
      assert.equal(credited[0]?.invoice.fee, 25);
      const again = await starkbank.invoice.get(invoice.id, { user: t.user });
      assert.equal(again.status, 'paid');
      const balance = await starkbank.balance.get({ user: t.user });
      assert.equal(balance.amount, 12345 - 25);
      const events = t.emulator.snapshot().events.filter((e) => e.subscription === 'invoice');
      assert.deepEqual(
        events.map((e) => e.log.type),
        ['created', 'paid', 'credited'],
      );
    });

    it('leaves unpaid invoices alone when payShare is 0, until an admin pays them', async () => {
      t.emulator.setBehaviour({ payShare: 0 });
      const [invoice] = await starkbank.invoice.create(
        [new starkbank.Invoice({ amount: 500, name: 'Bia', taxId: '01234567890' })],
        {
          user: t.user,
        },
      );
      assert.ok(invoice);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await starkbank.invoice.get(invoice.id, { user: t.user })).status, 'created');
      t.emulator.payInvoice(invoice.id, { amount: 450, fee: 0 });
      const logs = t.emulator
        .snapshot()
        .invoiceLogs.filter((l) => l.invoice.id === invoice.id)
        .map((l) => [l.type, l.invoice.amount]);
      assert.deepEqual(logs, [
        ['created', 500],
        ['paid', 450],
        ['credited', 450],
      ]);
      assert.equal((await starkbank.invoice.get(invoice.id, { user: t.user })).nominalAmount, 500);
    });
  });

  describe('due and expiration', () => {
    let t: TestEmulator;
    let receiver: WebhookReceiver;
    beforeEach(async () => {
      // One bank second is one real millisecond.
      t = await startTestEmulator({ behaviour: { payShare: 0, timeScale: 0.001 } });
      receiver = new WebhookReceiver();
      await starkbank.webhook.create({ url: await receiver.start(), subscriptions: ['invoice'], user: t.user });
    });
    afterEach(async () => {
      await receiver.close();
      await t.close();
    });

    const dueIn = (bankSeconds: number): string => new Date(Date.now() + bankSeconds * 1000).toISOString();

    async function create(due: string, expiration: number): Promise<starkbank.Invoice> {
      const drafts = [new starkbank.Invoice({ amount: 900, name: 'Caio', taxId: '01234567890', due, expiration })];
      const [invoice] = await starkbank.invoice.create(drafts, { user: t.user });
      assert.ok(invoice);
      return invoice;
    }

    const statusOf = (id: string): string | undefined =>
      t.emulator.snapshot().invoices.find((i) => i.id === id)?.status;

    async function history(id: string): Promise<string[][]> {
      const logs = await all(starkbank.invoice.log.query({ invoiceIds: [id], user: t.user }));
      return logs.reverse().map((l) => [l.type, l.invoice.status]);
    }

    const deliveredTypes = (id: string): string[] =>
      receiver
        .events()
        .filter((e) => e.log.invoice?.id === id)
        .map((e) => e.log.type);

    it('turns an unpaid invoice overdue at its due time and expired `expiration` seconds later', async () => {
      const invoice = await create(dueIn(150), 150);
      await sleep(60);
      assert.equal((await starkbank.invoice.get(invoice.id, { user: t.user })).status, 'created', 'not due yet');
      await waitUntil(() => statusOf(invoice.id) === 'expired', 2_000, 'expired');

      assert.deepEqual(await history(invoice.id), [
        ['created', 'created'],
        ['overdue', 'overdue'],
        ['expired', 'expired'],
      ]);
      const at = (type: string): number => {
        const log = t.emulator.snapshot().invoiceLogs.find((l) => l.invoice.id === invoice.id && l.type === type);
        assert.ok(log, `${type} log`);
        return Date.parse(log.created);
      };
      assert.ok(at('overdue') - at('created') >= 100, 'overdue at the due time');
      assert.ok(at('expired') - at('overdue') >= 145, 'expired 150 bank seconds after due');
      await waitUntil(() => deliveredTypes(invoice.id).length === 3, 2_000, 'three events');
      assert.deepEqual(deliveredTypes(invoice.id), ['created', 'overdue', 'expired']);
      assert.equal(t.emulator.snapshot().pendingJobs, 0);
      assert.throws(() => t.emulator.payInvoice(invoice.id), /expired and cannot be paid/);
    });

    it('never turns a paid or canceled invoice overdue; an overdue one can still be paid', async () => {
      // Due in a second of real time: creating, paying and canceling must all land before it, even on a busy machine.
      const paid = await create(dueIn(1_000), 100);
      const canceled = await create(dueIn(1_000), 100);
      const late = await create(dueIn(1_000), 1_000);
      t.emulator.payInvoice(paid.id);
      await starkbank.invoice.update(canceled.id, { status: 'canceled', user: t.user });
      await waitUntil(() => statusOf(late.id) === 'overdue', 5_000, 'overdue');
      t.emulator.payInvoice(late.id);
      await sleep(300); // past every due time and expiration

      assert.deepEqual(
        (await history(paid.id)).map(([type]) => type),
        ['created', 'paid', 'credited'],
      );
      assert.deepEqual(await history(canceled.id), [
        ['created', 'created'],
        ['canceled', 'canceled'],
      ]);
      assert.deepEqual(await history(late.id), [
        ['created', 'created'],
        ['overdue', 'overdue'],
        ['paid', 'paid'],
        ['credited', 'paid'],
      ]);
      assert.equal(t.emulator.snapshot().pendingJobs, 0, 'their timers are dropped');
      assert.equal((await starkbank.balance.get({ user: t.user })).amount, 1_800);
    });

    it('takes a due date in the past as overdue now, and waits out an expiration of months', async () => {
      t.emulator.setBehaviour({ timeScale: 1 });
      const invoice = await create(dueIn(-60), 60 * 24 * 3600);
      await waitUntil(() => statusOf(invoice.id) === 'overdue', 1_000, 'overdue');
      await sleep(50);
      assert.equal((await starkbank.invoice.get(invoice.id, { user: t.user })).status, 'overdue');
    });
  });

  describe('update and cancel', () => {
    let t: TestEmulator;
    let receiver: WebhookReceiver;
    beforeEach(async () => {
      t = await startTestEmulator({ behaviour: { payShare: 0, timeScale: 0.001 } }); // 1 bank s = 1 real ms
      receiver = new WebhookReceiver();
      await starkbank.webhook.create({ url: await receiver.start(), subscriptions: ['invoice'], user: t.user });
    });
    afterEach(async () => {
      await receiver.close();
      await t.close();
    });

    async function create(fields: { due?: string; expiration?: number } = {}): Promise<starkbank.Invoice> {
      const drafts = [new starkbank.Invoice({ amount: 1_000, name: 'Eva', taxId: '01234567890', ...fields })];
      const [invoice] = await starkbank.invoice.create(drafts, { user: t.user });
      assert.ok(invoice);
      return invoice;
    }

    async function history(id: string): Promise<[string, string, number][]> {
      const logs = await all(starkbank.invoice.log.query({ invoiceIds: [id], user: t.user }));
      return logs.reverse().map((l) => [l.type, l.invoice.status, l.invoice.amount]);
    }

    const statusOf = (id: string): string | undefined =>
      t.emulator.snapshot().invoices.find((i) => i.id === id)?.status;
    const dueIn = (bankSeconds: number): string => new Date(Date.now() + bankSeconds * 1000).toISOString();

    it('cancels an unpaid invoice: status, log and event; it can then neither be paid nor canceled again', async () => {
      const invoice = await create();
      const canceled = await starkbank.invoice.update(invoice.id, { status: 'canceled', user: t.user });
      assert.equal(canceled.status, 'canceled');
      assert.equal((await starkbank.invoice.get(invoice.id, { user: t.user })).status, 'canceled');
      assert.deepEqual(await history(invoice.id), [
        ['created', 'created', 1_000],
        ['canceled', 'canceled', 1_000],
      ]);
      await receiver.waitFor(2);
      assert.deepEqual(
        receiver
          .events()
          .map((e) => `${e.subscription}/${e.log.type}`)
          .sort(),
        ['invoice/canceled', 'invoice/created'],
      );
      assert.equal(t.emulator.snapshot().pendingJobs, 0, 'no due timer left');
      await rejectsWith(starkbank.invoice.update(invoice.id, { status: 'canceled', user: t.user }), 400, [
        'invalidInvoiceStatus',
      ]);
      await rejectsWith(starkbank.invoice.update(invoice.id, { amount: 10, user: t.user }), 400, [
        'invalidInvoiceStatus',
      ]);
      assert.throws(() => t.emulator.payInvoice(invoice.id), /canceled and cannot be paid/);
    });

    it('refuses to cancel a paid invoice', async () => {
      const invoice = await create();
      t.emulator.payInvoice(invoice.id);
      await rejectsWith(starkbank.invoice.update(invoice.id, { status: 'canceled', user: t.user }), 400, [
        'invalidInvoiceStatus',
      ]);
      assert.equal((await starkbank.invoice.get(invoice.id, { user: t.user })).status, 'paid');
    });

    it('changes the amount of an unpaid invoice, which the payer then pays', async () => {
      const invoice = await create();
      const updated = await starkbank.invoice.update(invoice.id, { amount: 1_500, user: t.user });
      assert.equal(updated.amount, 1_500);
      assert.equal(updated.nominalAmount, 1_500);
      t.emulator.payInvoice(invoice.id);
      assert.deepEqual(await history(invoice.id), [
        ['created', 'created', 1_000],
        ['updated', 'created', 1_500],
        ['paid', 'paid', 1_500],
        ['credited', 'paid', 1_500],
      ]);
      assert.equal((await starkbank.balance.get({ user: t.user })).amount, 1_500);
    });

    it('moves the due date and expiration of an unpaid invoice, re-arming its timers', async () => {
      const invoice = await create({ due: dueIn(60_000), expiration: 60_000 });
      await starkbank.invoice.update(invoice.id, { due: dueIn(50), user: t.user });
      await waitUntil(() => statusOf(invoice.id) === 'overdue', 1_000, 'overdue at the new due time');
      await starkbank.invoice.update(invoice.id, { expiration: 100, user: t.user });
      await waitUntil(() => statusOf(invoice.id) === 'expired', 1_000, 'expired after the new expiration');
      assert.deepEqual(
        (await history(invoice.id)).map(([type, status]) => [type, status]),
        [
          ['created', 'created'],
          ['updated', 'created'],
          ['overdue', 'overdue'],
          ['updated', 'overdue'],
          ['expired', 'expired'],
        ],
      );
      await rejectsWith(starkbank.invoice.update(invoice.id, { amount: 5, user: t.user }), 400, [
        'invalidInvoiceStatus',
      ]);
    });

    it('lifts overdue when the due date moves into the future', async () => {
      const invoice = await create({ due: dueIn(-1) });
      await waitUntil(() => statusOf(invoice.id) === 'overdue', 1_000, 'overdue');
      const updated = await starkbank.invoice.update(invoice.id, { due: dueIn(60_000), user: t.user });
      assert.equal(updated.status, 'created');
      await sleep(50);
      assert.equal(statusOf(invoice.id), 'created');
    });

    it('refuses invalid updates with one 400 listing every problem', async () => {
      const invoice = await create();
      const update = (patch: Record<string, unknown>): Promise<starkbank.Invoice> =>
        starkbank.invoice.update(invoice.id, { ...patch, user: t.user });
      await rejectsWith(update({ amount: -1 }), 400, ['invalidAmount']);
      await rejectsWith(update({ amount: 10.5, expiration: -3 }), 400, ['invalidAmount', 'invalidExpiration']);
      await rejectsWith(update({ status: 'paid' }), 400, ['invalidStatus']);
      await rejectsWith(update({ due: 'tomorrow' }), 400, ['invalidDue']);
      await rejectsWith(update({}), 400, ['invalidParameter']);
      await rejectsWith(update({ status: 'canceled', amount: 5 }), 400, ['invalidParameter']);
      await rejectsWith(starkbank.invoice.update('1234567890123456', { amount: 5, user: t.user }), 404);
      assert.deepEqual(await history(invoice.id), [['created', 'created', 1_000]], 'nothing changed');
    });
  });
});
