import assert from 'node:assert/strict';
import { createDailyPayoutTotal } from '../../src/activities/dailyPayoutTotal';

/** A query that answers `total` for whichever day it is asked about, counting calls. */
function fakeQuery(total: () => number) {
  const days: string[] = [];
  return {
    days,
    query: (day: string) => {
      days.push(day);
      return Promise.resolve(total());
    },
  };
}

describe('daily payout total (shared between concurrent payouts)', () => {
  let clock = new Date('2026-11-28T10:00:00Z');
  const now = () => clock;
  beforeEach(() => {
    clock = new Date('2026-11-28T10:00:00Z');
  });

  it('answers a burst of callers with one query', async () => {
    const q = fakeQuery(() => 5_000);
    const total = createDailyPayoutTotal(q.query, now, 2_000);
    const answers = await Promise.all(Array.from({ length: 50 }, () => total.get()));
    assert.ok(answers.every((a) => a === 5_000));
    assert.deepEqual(q.days, ['2026-11-28']);
  });

  it('adds what this worker created since the query, and asks again once stale', async () => {
    let bank = 5_000;
    const q = fakeQuery(() => bank);
    const total = createDailyPayoutTotal(q.query, now, 2_000);
    assert.equal(await total.get(), 5_000);
    total.add(700);
    bank += 700;
    assert.equal(await total.get(), 5_700);
    clock = new Date(clock.getTime() + 2_001);
    bank += 300; // another worker's transfer, seen by the fresh query
    assert.equal(await total.get(), 6_000);
    assert.equal(q.days.length, 2);
  });

  it('starts a new day from a new query, ignoring yesterday', async () => {
    const q = fakeQuery(() => 1_000);
    const total = createDailyPayoutTotal(q.query, now, 60_000);
    await total.get();
    clock = new Date('2026-11-29T00:00:01Z');
    total.add(99); // belongs to the new day, which has no cached figure yet
    assert.equal(await total.get(), 1_000);
    assert.deepEqual(q.days, ['2026-11-28', '2026-11-29']);
  });

  it('never caches a failed query', async () => {
    let fail = true;
    const total = createDailyPayoutTotal(
      () => (fail ? Promise.reject(new Error('Stark Bank unavailable')) : Promise.resolve(42)),
      now,
      60_000,
    );
    await assert.rejects(total.get(), /unavailable/);
    fail = false;
    assert.equal(await total.get(), 42);
  });
});
