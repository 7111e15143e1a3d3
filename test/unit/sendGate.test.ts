import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  sendThroughGate,
  type GateDeps,
  type GrantRequest,
  type Rejection,
  type SendRequest,
} from '../../src/domain/sendGate';
import type { CreditedInvoice, TransferSnapshot } from '../../src/domain/types';

const rejection: Rejection = { operator: 'ana', at: '2026-11-01T12:00:00Z', note: 'fraud' };

/** A scripted Stark Bank and Temporal behind the gate; every call is logged in order. */
class GateWorld {
  invoice: CreditedInvoice = { invoiceId: '1', amount: 10_000, fee: 100, status: 'paid', reversedCents: 0 };
  rejection: Rejection | undefined;
  recordUnreadable = false;
  paused = false;
  days = ['2026-11-29'];
  dailyMaxCents = 1_000_000;
  sentToday = 0;
  maxTransferCents = 50_000;
  existing: TransferSnapshot | undefined;
  createFails: 'no' | 'not-committed' | 'committed' | 'committed-unreadable' = 'no';
  duringInvoiceRead: () => void = () => undefined;
  readonly calls: string[] = [];
  readonly grants: { day: string; externalId: string; amount: number; approved: boolean; released: boolean }[] = [];
  readonly created: { externalId: string; amount: number; paused: boolean; rejected: boolean }[] = [];
  private lookupsFail = false;

  /** Each call to today() takes the next day in the list, staying on the last. */
  private today(): string {
    return this.days.length > 1 ? this.days.shift()! : this.days[0]!;
  }

  held(): string[] {
    return this.grants.filter((g) => !g.released).map((g) => `${g.externalId}@${g.day}`);
  }

  deps(): GateDeps {
    return {
      findTransfer: (externalId) => {
        this.calls.push('findTransfer');
        if (this.lookupsFail) return Promise.reject(new Error('Stark Bank unavailable'));
        const made = this.existing ?? this.created.find((c) => c.externalId === externalId);
        return Promise.resolve(made && { id: 't1', externalId, amount: made.amount, status: 'created' as const });
      },
      readInvoice: () => {
        this.calls.push('readInvoice');
        this.duringInvoiceRead();
        return Promise.resolve({ ...this.invoice });
      },
      readRejection: () => {
        this.calls.push('readRejection');
        return this.recordUnreadable ? Promise.reject(new Error('record unreadable')) : Promise.resolve(this.rejection);
      },
      readPause: () => {
        this.calls.push('readPause');
        return Promise.resolve(
          this.paused ? { paused: true, reason: 'an operator paused all payouts' } : { paused: false },
        );
      },
      today: () => {
        this.calls.push('today');
        return this.today();
      },
      reserve: (day: string, request: GrantRequest) => {
        this.calls.push(`reserve@${day}`);
        const others = this.grants
          .filter((g) => g.day === day && !g.released && g.externalId !== request.externalId)
          .reduce((sum, g) => sum + g.amount, 0);
        const totalCents = this.sentToday + others + request.amount;
        const answer = { totalCents, maxCents: this.dailyMaxCents };
        if (!request.approvedOverDailyMax && totalCents > this.dailyMaxCents)
          return Promise.resolve({ ...answer, granted: false });
        this.grants.push({
          day,
          externalId: request.externalId,
          amount: request.amount,
          approved: request.approvedOverDailyMax,
          released: false,
        });
        return Promise.resolve({ ...answer, granted: true });
      },
      release: (day, externalId) => {
        this.calls.push(`release@${day}`);
        for (const g of this.grants) if (g.day === day && g.externalId === externalId) g.released = true;
        return Promise.resolve();
      },
      create: ({ externalId, amount }) => {
        this.calls.push('create');
        const made = { externalId, amount, paused: this.paused, rejected: this.rejection !== undefined };
        if (this.createFails === 'not-committed') return Promise.reject(new Error('Stark Bank refused the request'));
        this.created.push(made);
        if (this.createFails === 'committed-unreadable') this.lookupsFail = true;
        if (this.createFails !== 'no') return Promise.reject(new Error('answer lost'));
        return Promise.resolve({ id: 't1', externalId, amount, status: 'created' });
      },
      maxTransferCents: this.maxTransferCents,
    };
  }

  send(request: Partial<SendRequest> = {}) {
    return sendThroughGate(this.deps(), { invoiceId: '1', externalId: 'payout-1', maxAmountCents: 9_900, ...request });
  }
}

describe('the send gate', () => {
  it('sends what is owed now, at most what the check allowed, after the checks in their order', async () => {
    const world = new GateWorld();
    world.invoice.reversedCents = 900;
    const outcome = await world.send();
    assert.deepEqual(outcome, {
      outcome: 'sent',
      transfer: { id: 't1', externalId: 'payout-1', amount: 9_000, status: 'created' },
      day: '2026-11-29',
    });
    assert.deepEqual(world.calls, [
      'findTransfer',
      'readInvoice',
      'readRejection',
      'readPause',
      'today',
      'reserve@2026-11-29',
      'today',
      'create',
    ]);
    assert.deepEqual(world.held(), ['payout-1@2026-11-29']);
    assert.equal((await new GateWorld().send({ maxAmountCents: 5_000 })).outcome, 'sent');
  });

  it('never sends more than the check allowed, even when more is owed now', async () => {
    const world = new GateWorld();
    await world.send({ maxAmountCents: 5_000 });
    assert.deepEqual(
      world.created.map((c) => c.amount),
      [5_000],
    );
  });

  it('returns a transfer already made under the key, checking and reserving nothing again', async () => {
    const world = new GateWorld();
    world.existing = { id: 't0', externalId: 'payout-1', amount: 20_000, status: 'processing' };
    world.paused = true;
    world.rejection = rejection;
    const outcome = await world.send();
    assert.equal(outcome.outcome, 'sent');
    assert.deepEqual(world.calls, ['findTransfer']);
  });

  it('refuses a rejected invoice before anything else, sending and reserving nothing', async () => {
    const world = new GateWorld();
    world.rejection = rejection;
    world.paused = true;
    assert.deepEqual(await world.send(), { outcome: 'refused', refusal: { kind: 'rejected', rejection } });
    assert.deepEqual([world.created, world.grants], [[], []]);
  });

  it('refuses while paused, sending and reserving nothing', async () => {
    const world = new GateWorld();
    world.paused = true;
    assert.deepEqual(await world.send(), {
      outcome: 'refused',
      refusal: { kind: 'paused', reason: 'an operator paused all payouts' },
    });
    assert.deepEqual([world.created, world.grants], [[], []]);
  });

  it('sees a pause or a rejection that came while it read the invoice: no create is issued (H, D)', async () => {
    const paused = new GateWorld();
    paused.duringInvoiceRead = () => (paused.paused = true);
    assert.equal((await paused.send()).outcome, 'refused');
    assert.deepEqual(paused.created, []);
    const rejected = new GateWorld();
    rejected.duringInvoiceRead = () => (rejected.rejection = rejection);
    assert.deepEqual(await rejected.send(), { outcome: 'refused', refusal: { kind: 'rejected', rejection } });
    assert.deepEqual(rejected.created, []);
  });

  it('fails closed when the decision record cannot be read', async () => {
    const world = new GateWorld();
    world.recordUnreadable = true;
    await assert.rejects(world.send(), /record unreadable/);
    assert.deepEqual([world.created, world.grants], [[], []]);
  });

  it('refuses an invoice that is no longer paid, and sends nothing when reversals left nothing', async () => {
    const canceled = new GateWorld();
    canceled.invoice.status = 'canceled';
    assert.deepEqual(await canceled.send(), { outcome: 'refused', refusal: { kind: 'not-paid', status: 'canceled' } });
    const reversed = new GateWorld();
    reversed.invoice.reversedCents = 9_900;
    assert.equal((await reversed.send()).outcome, 'nothing-left');
    assert.deepEqual([reversed.created, reversed.grants], [[], []]);
  });

  it('refuses above the per-transfer maximum unless this very transfer was approved', async () => {
    const world = new GateWorld();
    world.maxTransferCents = 5_000;
    assert.deepEqual(await world.send(), {
      outcome: 'refused',
      refusal: { kind: 'over-transfer-max', amountCents: 9_900, maxCents: 5_000 },
    });
    assert.equal((await world.send({ approval: { externalId: 'payout-1-r2' } })).outcome, 'refused');
    assert.equal((await world.send({ approval: { externalId: 'payout-1' } })).outcome, 'sent');
  });

  it('refuses over the daily maximum; an approval covers this transfer on that one day only (B)', async () => {
    const world = new GateWorld();
    world.dailyMaxCents = 50_000;
    world.sentToday = 45_000;
    assert.deepEqual(await world.send(), {
      outcome: 'refused',
      refusal: { kind: 'over-daily-max', amountCents: 9_900, totalCents: 54_900, maxCents: 50_000, day: '2026-11-29' },
    });
    const yesterday = { externalId: 'payout-1', day: '2026-11-28' };
    assert.equal((await world.send({ approval: yesterday })).outcome, 'refused');
    assert.equal((await world.send({ approval: { externalId: 'payout-1-r2', day: '2026-11-29' } })).outcome, 'refused');
    assert.equal(world.grants.length, 0);
    const today = { externalId: 'payout-1', day: '2026-11-29' };
    assert.equal((await world.send({ approval: today })).outcome, 'sent');
    assert.deepEqual(
      world.grants.map((g) => [g.day, g.approved]),
      [['2026-11-29', true]],
    );
  });

  it('moves the grant to the new day when the day ends while reserving, and sends on that day (G)', async () => {
    const world = new GateWorld();
    world.days = ['2026-11-29', '2026-11-30', '2026-11-30'];
    const outcome = await world.send();
    assert.equal(outcome.outcome === 'sent' && outcome.day, '2026-11-30');
    assert.deepEqual(world.held(), ['payout-1@2026-11-30']);
    assert.deepEqual(
      world.calls.filter((c) => c.startsWith('reserve') || c.startsWith('release') || c === 'create'),
      ['reserve@2026-11-29', 'release@2026-11-29', 'reserve@2026-11-30', 'create'],
    );
  });

  it('gives the grant back when the create failed and made nothing (F)', async () => {
    const world = new GateWorld();
    world.createFails = 'not-committed';
    await assert.rejects(world.send(), /refused the request/);
    assert.deepEqual(world.held(), []);
  });

  it('keeps the grant when the create failed but made the transfer, or cannot be looked up', async () => {
    const committed = new GateWorld();
    committed.createFails = 'committed';
    assert.equal((await committed.send()).outcome, 'sent');
    assert.deepEqual(committed.held(), ['payout-1@2026-11-29']);
    const unreadable = new GateWorld();
    unreadable.createFails = 'committed-unreadable';
    await assert.rejects(unreadable.send(), /answer lost/);
    assert.deepEqual(unreadable.held(), ['payout-1@2026-11-29']);
  });

  it('for any world, creates only what every check allows, and holds a grant only for what may have left', async () => {
    const worlds = fc.record({
      existing: fc.boolean(),
      rejected: fc.boolean(),
      paused: fc.boolean(),
      flipDuringRead: fc.constantFrom('none', 'pause', 'reject'),
      status: fc.constantFrom('paid', 'paid', 'canceled'),
      reversedCents: fc.integer({ min: 0, max: 12_000 }),
      cap: fc.integer({ min: 1, max: 12_000 }),
      maxTransferCents: fc.integer({ min: 1, max: 12_000 }),
      sentToday: fc.integer({ min: 0, max: 60_000 }),
      dayChanges: fc.boolean(),
      approval: fc.option(
        fc.record({
          externalId: fc.constantFrom('payout-1', 'payout-1-r2'),
          day: fc.option(fc.constantFrom('2026-11-29', '2026-11-30'), { nil: undefined }),
        }),
        { nil: undefined },
      ),
      createFails: fc.constantFrom('no', 'no', 'not-committed', 'committed', 'committed-unreadable'),
    });
    await fc.assert(
      fc.asyncProperty(worlds, async (w) => {
        const world = new GateWorld();
        world.invoice = { ...world.invoice, status: w.status, reversedCents: w.reversedCents };
        world.rejection = w.rejected ? rejection : undefined;
        world.paused = w.paused;
        world.duringInvoiceRead = () => {
          if (w.flipDuringRead === 'pause') world.paused = true;
          if (w.flipDuringRead === 'reject') world.rejection = rejection;
        };
        world.maxTransferCents = w.maxTransferCents;
        world.dailyMaxCents = 50_000;
        world.sentToday = w.sentToday;
        world.days = w.dayChanges ? ['2026-11-29', '2026-11-30'] : ['2026-11-29'];
        world.existing = w.existing ? { id: 't0', externalId: 'payout-1', amount: 1, status: 'processing' } : undefined;
        world.createFails = w.createFails;
        const outcome = await world.send({ maxAmountCents: w.cap, approval: w.approval }).catch(() => 'threw' as const);

        const owed = 10_000 - 100 - w.reversedCents;
        for (const made of world.created) {
          assert.ok(!made.paused && !made.rejected, 'nothing is created while paused or against a rejection');
          assert.ok(made.amount > 0 && made.amount <= Math.min(owed, w.cap), 'never more than owed and allowed');
          const approved = w.approval?.externalId === 'payout-1';
          assert.ok(made.amount <= w.maxTransferCents || approved, 'the per-transfer maximum holds without approval');
        }
        if (w.existing) assert.deepEqual([world.created, world.grants], [[], []]);
        for (const g of world.grants.filter((g) => !g.released)) {
          assert.ok(
            world.created.some((c) => c.externalId === g.externalId),
            'a grant is held only for a create',
          );
          const overMax = w.sentToday + g.amount > 50_000;
          if (overMax) {
            const approvedThatDay = w.approval?.externalId === 'payout-1' && w.approval.day === g.day;
            assert.ok(approvedThatDay, 'over the maximum only with its approval for that day');
          }
        }
        if (outcome !== 'threw' && outcome.outcome === 'refused') assert.deepEqual(world.created, []);
        assert.ok(world.created.length <= 1);
      }),
      { numRuns: 500 },
    );
  });
});
