import assert from 'node:assert/strict';
import { compareCreditsWithTransfers, hasDrift } from '../../src/domain/reconciliation';

const credited = [
  { invoiceId: 'a', amount: 1_000, fee: 10 },
  { invoiceId: 'b', amount: 2_000, fee: 0 },
  { invoiceId: 'c', amount: 500, fee: 500 }, // nothing to send
];

describe('compareCreditsWithTransfers', () => {
  it('is clean when every credited invoice has one successful transfer of its net amount', () => {
    const f = compareCreditsWithTransfers(credited, [
      { id: '1', invoiceId: 'a', amount: 990, status: 'success' },
      { id: '2', invoiceId: 'b', amount: 2_000, status: 'success' },
      { id: '3', invoiceId: 'b', amount: 2_000, status: 'failed' },
    ]);
    assert.deepEqual(f.unpaid, []);
    assert.equal(f.creditedNetCents, 2_990);
    assert.equal(f.sentCents, 2_990);
    assert.equal(hasDrift(f), false);
  });

  it('finds unpaid credits, money sent without a credit, wrong amounts and duplicates', () => {
    const f = compareCreditsWithTransfers(credited, [
      { id: '1', invoiceId: 'a', amount: 1_000, status: 'success' },
      { id: '1b', invoiceId: 'a', amount: 1_000, status: 'success' },
      { id: '9', invoiceId: 'zz', amount: 123, status: 'success' },
      { id: '4', invoiceId: 'b', amount: 2_000, status: 'processing' },
    ]);
    assert.deepEqual(
      f.unpaid.map((u) => u.invoiceId),
      ['b'],
    );
    assert.deepEqual(
      f.sentWithoutCredit.map((t) => t.id),
      ['9'],
    );
    assert.deepEqual(f.amountMismatches, [
      { invoiceId: 'a', expected: 990, sent: 1_000 },
      { invoiceId: 'a', expected: 990, sent: 1_000 },
    ]);
    assert.deepEqual(f.duplicates, ['a']);
    assert.equal(f.sentCents, 2_123);
    assert.equal(hasDrift(f), true);
  });

  it('does not count a payout in flight or rejected by an operator as drift, but counts every other unpaid credit', () => {
    const f = compareCreditsWithTransfers(credited, [{ id: '1', invoiceId: 'a', amount: 990, status: 'success' }]);
    const unpaidB = f.unpaid.find((u) => u.invoiceId === 'b')!;
    assert.equal(unpaidB.netCents, 2_000);
    assert.equal(hasDrift({ ...f, unpaid: [{ ...unpaidB, action: 'payout-nudged' }] }), false);
    assert.equal(hasDrift({ ...f, unpaid: [{ ...unpaidB, action: 'rejected' }] }), false);
    assert.equal(hasDrift({ ...f, unpaid: [{ ...unpaidB, action: 'needs-person' }] }), true);
    assert.equal(hasDrift({ ...f, unpaid: [{ ...unpaidB, action: 'payout-started' }] }), true);
    // Each kind of finding alone is drift, even when the sums agree.
    const clean = {
      creditedNetCents: 0,
      sentCents: 0,
      unpaid: [],
      sentWithoutCredit: [],
      amountMismatches: [],
      duplicates: [],
    };
    assert.equal(hasDrift(clean), false);
    assert.equal(hasDrift({ ...clean, duplicates: ['a'] }), true);
    assert.equal(hasDrift({ ...clean, amountMismatches: [{}] }), true);
    assert.equal(hasDrift({ ...clean, sentWithoutCredit: [{}] }), true);
    assert.equal(hasDrift({ ...clean, unpaid: [{ netCents: 0 }], sentWithoutCredit: [{}] }), true);
    assert.equal(hasDrift({ ...clean, sentWithoutCredit: [{}], amountMismatches: [{}] }), true);
    assert.equal(hasDrift({ ...clean, amountMismatches: [{}], duplicates: ['a'] }), true);
    // A transfer of the wrong amount is drift even when the invoice's payout is in flight.
    assert.equal(hasDrift({ ...f, sentCents: 991, unpaid: [{ ...unpaidB, action: 'payout-nudged' }] }), true);
  });
});
