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

  it('calls any transfer for an invoice the fee took whole a mismatch: nothing was owed', () => {
    const f = compareCreditsWithTransfers(credited, [
      { id: '1', invoiceId: 'a', amount: 990, status: 'success' },
      { id: '2', invoiceId: 'b', amount: 2_000, status: 'success' },
      { id: '3', invoiceId: 'c', amount: 1, status: 'success' },
    ]);
    assert.deepEqual(f.amountMismatches, [{ invoiceId: 'c', expected: 0, sent: 1 }]);
    assert.equal(hasDrift(f), true);
    // A fee over the amount owes nothing either, and takes nothing from what the others are owed.
    const over = compareCreditsWithTransfers([...credited, { invoiceId: 'd', amount: 100, fee: 150 }], []);
    assert.equal(over.creditedNetCents, 2_990);
    assert.deepEqual(
      over.unpaid.map((u) => u.invoiceId),
      ['a', 'b'],
    );
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
      reversedBeforePayoutCents: 0,
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

  describe('with reversals: what the books expect is credited − fee − reversed', () => {
    const reversedInvoices = [
      { invoiceId: 'before', amount: 10_000, fee: 25, reversedCents: 3_000 },
      { invoiceId: 'after', amount: 8_000, fee: 0, reversedCents: 8_000 },
      { invoiceId: 'both', amount: 6_000, fee: 0, reversedCents: 2_500 },
      { invoiceId: 'all-before', amount: 5_000, fee: 25, reversedCents: 5_000 },
      { invoiceId: 'waiting', amount: 4_000, fee: 0, reversedCents: 1_000 },
    ];
    const sent = [
      { id: 't-before', invoiceId: 'before', amount: 6_975, status: 'success' },
      { id: 't-after', invoiceId: 'after', amount: 8_000, status: 'success' },
      { id: 't-both', invoiceId: 'both', amount: 5_000, status: 'success' }, // 1 000 reversed before, 1 500 after
    ];

    it('lists reversals after payout as losses of their own, not as drift', () => {
      const f = compareCreditsWithTransfers(reversedInvoices, sent);
      assert.deepEqual(f.reversalLosses, [
        {
          invoiceId: 'after',
          transferId: 't-after',
          sentCents: 8_000,
          owedCents: 0,
          reversedCents: 8_000,
          lossCents: 8_000,
        },
        {
          invoiceId: 'both',
          transferId: 't-both',
          sentCents: 5_000,
          owedCents: 3_500,
          reversedCents: 2_500,
          lossCents: 1_500,
        },
      ]);
      assert.equal(f.reversalLossCents, 9_500);
      assert.deepEqual(f.amountMismatches, []);
      assert.deepEqual(
        f.unpaid.map((u) => [u.invoiceId, u.netCents]),
        [['waiting', 3_000]],
      );
      assert.equal(f.creditedNetCents, 9_975 + 8_000 + 6_000 + 4_975 + 4_000);
      // 3 000 + 0 + 1 000 + all 4 975 of the invoice reversed before anything was sent + 1 000 of the waiting one.
      assert.equal(f.reversedBeforePayoutCents, 9_975);
      assert.equal(f.sentCents, 19_975);
      assert.equal(
        hasDrift({ ...f, unpaid: f.unpaid.map((u) => ({ ...u, action: 'payout-nudged' as const })) }),
        false,
      );
    });

    it('calls a transfer of more than the net, or less than is owed after every reversal, a mismatch', () => {
      const f = compareCreditsWithTransfers(reversedInvoices.slice(0, 1), [
        { id: 't', invoiceId: 'before', amount: 6_000, status: 'success' },
      ]);
      assert.deepEqual(f.amountMismatches, [{ invoiceId: 'before', expected: 6_975, sent: 6_000 }]);
      assert.deepEqual(f.reversalLosses, []);
      // A wrong amount tells nothing of when the payer got money back: the books count all of it as before payout.
      assert.equal(f.reversedBeforePayoutCents, 3_000);
      assert.equal(hasDrift(f), true);
      const over = compareCreditsWithTransfers(reversedInvoices.slice(0, 1), [
        { id: 't', invoiceId: 'before', amount: 10_000, status: 'success' },
      ]);
      assert.deepEqual(over.amountMismatches, [{ invoiceId: 'before', expected: 6_975, sent: 10_000 }]);
      assert.deepEqual(over.reversalLosses, [], 'money sent beyond the net is a mismatch, not a later reversal');
      assert.equal(over.reversalLossCents, 0);
      assert.equal(over.reversedBeforePayoutCents, 3_000);
      assert.equal(hasDrift(over), true);
    });
  });
});
