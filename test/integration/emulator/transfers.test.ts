import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { all, PINNED_ACCOUNT, rejectsWith, sleep, waitUntil, WebhookReceiver } from './support';

const fast = { transferSendDelayMs: 10, transferSettleDelayMs: 10, payShare: 0 };

describe('emulator: transfers', () => {
  let t: TestEmulator;
  beforeEach(
    async () => (t = await startTestEmulator({ initialBalance: 10_000, behaviour: { ...fast, transferFee: 50 } })),
  );
  afterEach(() => t.close());

  const transfer = (amount: number, externalId?: string): starkbank.Transfer =>
    new starkbank.Transfer({ ...PINNED_ACCOUNT, amount, ...(externalId && { externalId, tags: [externalId] }) });

  async function logTypes(id: string): Promise<{ types: string[]; errors: string[] }> {
    const logs = await all(starkbank.transfer.log.query({ transferIds: [id], user: t.user }));
    logs.reverse();
    return { types: logs.map((l) => l.type), errors: logs.flatMap((l) => l.errors) };
  }

  const settled = (id: string): Promise<unknown> =>
    waitUntil(
      () => ['success', 'failed'].includes(t.emulator.snapshot().transfers.find((x) => x.id === id)?.status ?? ''),
      3_000,
      `transfer ${id} settled`,
    );

  it('moves a transfer created -> processing -> success and debits amount + fee', async () => {
    const [created] = await starkbank.transfer.create([transfer(1_000, 'payout-1')], { user: t.user });
    assert.ok(created);
    assert.equal(created.status, 'created');
    assert.equal(created.externalId, 'payout-1');
    await settled(created.id);
    assert.deepEqual(await logTypes(created.id), { types: ['created', 'sending', 'success'], errors: [] });
    const done = await starkbank.transfer.get(created.id, { user: t.user });
    assert.equal(done.status, 'success');
    assert.equal(done.fee, 50);
    assert.equal((await starkbank.balance.get({ user: t.user })).amount, 10_000 - 1_050);
    const byTag = (await all(starkbank.transfer.query({ tags: ['payout-1'], user: t.user }))).map((x) => x.id);
    assert.deepEqual(byTag, [created.id]);
  });

  it('fails a transfer the balance cannot cover, leaving the balance as it was', async () => {
    const [created] = await starkbank.transfer.create([transfer(20_000, 'payout-2')], { user: t.user });
    assert.ok(created);
    await settled(created.id);
    const { types, errors } = await logTypes(created.id);
    assert.deepEqual(types, ['created', 'sending', 'failed']);
    assert.deepEqual(errors, ['invalidbalance']);
    assert.equal((await starkbank.balance.get({ user: t.user })).amount, 10_000);
  });

  it('accepts a repeated externalId and then fails it as a duplicate', async () => {
    const [first] = await starkbank.transfer.create([transfer(100, 'payout-3')], { user: t.user });
    const [second] = await starkbank.transfer.create([transfer(200, 'payout-3')], { user: t.user });
    assert.ok(first && second);
    assert.equal(second.status, 'created', 'no synchronous error');
    await settled(first.id);
    await settled(second.id);
    assert.equal((await starkbank.transfer.get(first.id, { user: t.user })).status, 'success');
    const { types, errors } = await logTypes(second.id);
    assert.deepEqual(types, ['created', 'sending', 'failed']);
    assert.match(errors[0] ?? '', /Duplicated transfer/);
    assert.equal((await starkbank.balance.get({ user: t.user })).amount, 10_000 - 150);
  });

  it('keeps a transfer scheduled for later `created` until its time, then sends it', async () => {
    t.emulator.setBehaviour({ timeScale: 0.001 }); // one bank second is one real millisecond
    const scheduled = new Date(Date.now() + 200_000).toISOString();
    const draft = new starkbank.Transfer({ ...PINNED_ACCOUNT, amount: 1_000, externalId: 'later', scheduled });
    const [created] = await starkbank.transfer.create([draft], { user: t.user });
    assert.ok(created);
    await sleep(100);
    assert.equal((await starkbank.transfer.get(created.id, { user: t.user })).status, 'created');
    assert.equal((await starkbank.balance.get({ user: t.user })).amount, 10_000, 'no money moved yet');
    await settled(created.id);
    assert.deepEqual(await logTypes(created.id), { types: ['created', 'sending', 'success'], errors: [] });
    const logs = t.emulator.snapshot().transferLogs;
    const at = (type: string): number => Date.parse(logs.find((l) => l.type === type)?.created ?? '');
    assert.ok(at('sending') - at('created') >= 150, 'sent at the scheduled time');
  });

  // The SDK's typings declare `delete(id, user)`, but its code reads `{ user }` like every other call.
  type DeleteTransfer = (id: string, options: { user: starkbank.Project }) => Promise<starkbank.Transfer>;
  const deleteTransfer = (id: string): Promise<starkbank.Transfer> =>
    (starkbank.transfer.delete as unknown as DeleteTransfer)(id, { user: t.user });

  it('cancels a scheduled transfer on DELETE: log and event, no money moves, never sent', async () => {
    t.emulator.setBehaviour({ timeScale: 0.001 }); // one bank second is one real millisecond
    const receiver = new WebhookReceiver();
    try {
      await starkbank.webhook.create({ url: await receiver.start(), subscriptions: ['transfer'], user: t.user });
      const scheduled = new Date(Date.now() + 100_000).toISOString();
      const draft = new starkbank.Transfer({ ...PINNED_ACCOUNT, amount: 1_000, externalId: 'cancel-me', scheduled });
      const [created] = await starkbank.transfer.create([draft], { user: t.user });
      assert.ok(created);
      const canceled = await deleteTransfer(created.id);
      assert.equal(canceled.id, created.id);
      assert.equal(canceled.status, 'canceled');
      await sleep(200); // past the scheduled time

      assert.equal((await starkbank.transfer.get(created.id, { user: t.user })).status, 'canceled');
      assert.deepEqual(await logTypes(created.id), { types: ['created', 'canceled'], errors: [] });
      await receiver.waitFor(2);
      assert.deepEqual(
        receiver
          .events()
          .map((e) => `${e.subscription}/${e.log.type}`)
          .sort(),
        ['transfer/canceled', 'transfer/created'],
      );
      assert.equal((await starkbank.balance.get({ user: t.user })).amount, 10_000);
      await rejectsWith(deleteTransfer(created.id), 400, ['invalidTransferStatus']);
      assert.throws(() => t.emulator.settleTransfer(created.id, 'success'), /already canceled/);
    } finally {
      await receiver.close();
    }
  });

  it('refuses DELETE once a transfer is processing or final', async () => {
    t.emulator.setBehaviour({ transferSettleDelayMs: 60_000 });
    const [processing, done] = await starkbank.transfer.create([transfer(100, 'del-a'), transfer(100, 'del-b')], {
      user: t.user,
    });
    assert.ok(processing && done);
    t.emulator.settleTransfer(done.id, 'success');
    const statusOf = (id: string): string | undefined =>
      t.emulator.snapshot().transfers.find((x) => x.id === id)?.status;
    await waitUntil(() => statusOf(processing.id) === 'processing', 1_000, 'processing');
    await rejectsWith(deleteTransfer(processing.id), 400, ['invalidTransferStatus']);
    await rejectsWith(deleteTransfer(done.id), 400, ['invalidTransferStatus']);
    await rejectsWith(deleteTransfer('1234567890123456'), 404);
    assert.equal(statusOf(processing.id), 'processing');
    assert.equal(statusOf(done.id), 'success');
    assert.deepEqual((await logTypes(processing.id)).types, ['created', 'sending']);
  });

  it('validates every field and the 100-item limit', async () => {
    const bad = new starkbank.Transfer({ ...PINNED_ACCOUNT, amount: 0, taxId: '20.018.183/0001-81', bankCode: 'x' });
    await rejectsWith(starkbank.transfer.create([bad], { user: t.user }), 400, [
      'invalidAmount',
      'invalidTaxId',
      'invalidBankCode',
    ]);
    const many = Array.from({ length: 101 }, (_, i) => transfer(1, `bulk-${i}`));
    await rejectsWith(starkbank.transfer.create(many, { user: t.user }), 400, ['tooManyItems']);
  });

  it('lets an admin settle a transfer either way', async () => {
    t.emulator.setBehaviour({ transferSendDelayMs: 60_000 });
    const [a, b] = await starkbank.transfer.create([transfer(100, 'admin-a'), transfer(100, 'admin-b')], {
      user: t.user,
    });
    assert.ok(a && b);
    t.emulator.settleTransfer(a.id, 'failed', 'account closed');
    t.emulator.settleTransfer(b.id, 'success');
    assert.deepEqual(await logTypes(a.id), { types: ['created', 'sending', 'failed'], errors: ['account closed'] });
    assert.equal((await starkbank.transfer.get(b.id, { user: t.user })).status, 'success');
    assert.equal(t.emulator.snapshot().balance.amount, 10_000 - 150);
    assert.equal(t.emulator.snapshot().pendingJobs, 0, 'timers for settled transfers are cancelled');
  });

  it('counts transfers per status without a snapshot', async () => {
    t.emulator.setBehaviour({ transferSendDelayMs: 60_000 });
    const created = await starkbank.transfer.create(
      [transfer(100, 'count-a'), transfer(100, 'count-b'), transfer(100, 'count-c')],
      { user: t.user },
    );
    t.emulator.settleTransfer(created[0]!.id, 'success');
    t.emulator.settleTransfer(created[1]!.id, 'failed', 'account closed');
    const fromSnapshot: Record<string, number> = {};
    for (const { status } of t.emulator.snapshot().transfers) fromSnapshot[status] = (fromSnapshot[status] ?? 0) + 1;
    assert.deepEqual(t.emulator.transferCounts(), fromSnapshot);
    assert.ok((fromSnapshot.success ?? 0) >= 1 && (fromSnapshot.failed ?? 0) >= 1 && (fromSnapshot.created ?? 0) >= 1);
  });
});
