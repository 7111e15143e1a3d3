import assert from 'node:assert/strict';
import { formatBRL, netCreditedAmount, reversalLossCents, owedCents, reversedCents } from '../../src/domain/money';
import { MISSION_DESTINATION } from '../../src/domain/destination';
import {
  attemptOfExternalId,
  invoiceIdOfTransfer,
  invoiceTransfersTag,
  PAYOUT_TAG,
  payoutWorkflowId,
  transferExternalId,
} from '../../src/domain/payoutIds';

describe('money', () => {
  it('forwards the credited amount minus the fee, in cents', () => {
    assert.equal(netCreditedAmount({ amount: 12_345, fee: 0 }), 12_345);
    assert.equal(netCreditedAmount({ amount: 12_345, fee: 45 }), 12_300);
    assert.equal(netCreditedAmount({ amount: 100, fee: 100 }), 0);
  });

  it('refuses fractional cents', () => {
    assert.throws(() => netCreditedAmount({ amount: 10.5, fee: 0 }), /integer cents/);
    assert.throws(() => netCreditedAmount({ amount: 10, fee: 0.1 }), {
      name: 'RangeError',
      message: 'fee must be integer cents, got 0.1',
    });
    assert.throws(() => netCreditedAmount({ amount: 10.5, fee: 0 }), {
      message: 'credited amount must be integer cents, got 10.5',
    });
  });

  it('owes the credited amount minus the fee minus what the payer reversed; nothing left is zero or less', () => {
    assert.equal(owedCents({ amount: 10_000, fee: 25, reversedCents: 0 }), 9_975);
    assert.equal(owedCents({ amount: 10_000, fee: 25, reversedCents: 3_500 }), 6_475);
    assert.equal(owedCents({ amount: 10_000, fee: 25, reversedCents: 10_000 }), -25);
    assert.throws(() => owedCents({ amount: 10_000, fee: 0, reversedCents: 0.5 }), {
      name: 'RangeError',
      message: 'reversed amount must be integer cents, got 0.5',
    });
  });

  it('reads the reversed amount from the lowest amount the invoice or a reversed log still holds', () => {
    assert.equal(reversedCents(10_000, []), 0);
    assert.equal(reversedCents(10_000, [10_000]), 0);
    assert.equal(reversedCents(10_000, [7_000, 6_500]), 3_500);
    // A reversed log not visible yet, or an invoice read that lags its log: the lower one wins.
    assert.equal(reversedCents(10_000, [10_000, 6_500]), 3_500);
    assert.equal(reversedCents(10_000, [0, 7_000]), 10_000);
    assert.equal(reversedCents(10_000, [12_000]), 0);
    assert.throws(() => reversedCents(10_000, [7_000, 6_500.5]), {
      name: 'RangeError',
      message: 'remaining amount must be integer cents, got 6500.5',
    });
  });

  it('calls over-sent what a transfer sent beyond what is owed now', () => {
    assert.equal(reversalLossCents(7_000, 7_000), 0);
    assert.equal(reversalLossCents(7_000, 4_000), 3_000);
    assert.equal(reversalLossCents(9_975, -25), 9_975, 'a full reversal after sending loses all that was sent');
  });

  it('formats reais for people', () => {
    assert.equal(formatBRL(123_456), 'R$ 1.234,56');
    assert.equal(formatBRL(5), 'R$ 0,05');
    assert.equal(formatBRL(-250), '-R$ 2,50');
    assert.equal(formatBRL(0), 'R$ 0,00');
  });
});

describe('payout ids', () => {
  it('derives the workflow id and externalIds from the invoice id', () => {
    assert.equal(payoutWorkflowId('5166945473134592'), 'payout-5166945473134592');
    assert.equal(transferExternalId('5166945473134592', 1), 'payout-5166945473134592');
    assert.equal(transferExternalId('5166945473134592', 3), 'payout-5166945473134592-r3');
    assert.throws(() => transferExternalId('1', 0), {
      name: 'RangeError',
      message: 'attempt must be a positive integer: 0',
    });
    assert.throws(() => transferExternalId('1', 1.5), RangeError);
    assert.equal(invoiceTransfersTag('5166945473134592'), 'payout-5166945473134592');
    assert.equal(PAYOUT_TAG, 'payout');
  });

  it('never uses the invoice- prefix Stark Bank keeps for itself', () => {
    assert.doesNotMatch(transferExternalId('42', 1), /^invoice-/);
  });

  it('finds the invoice a transfer belongs to, from its externalId or tags', () => {
    assert.equal(invoiceIdOfTransfer({ externalId: 'payout-42-r2', tags: [] }), '42');
    assert.equal(invoiceIdOfTransfer({ externalId: null, tags: ['payout', 'payout-77'] }), '77');
    assert.equal(invoiceIdOfTransfer({ externalId: 'invoice-42', tags: ['payout'] }), undefined);
    assert.equal(invoiceIdOfTransfer({ externalId: 'payout-abc' }), undefined);
    assert.equal(invoiceIdOfTransfer({ externalId: '' }), undefined);
    // Only a whole payout key counts: a key inside another, or a longer suffix, is someone else's transfer.
    assert.equal(invoiceIdOfTransfer({ externalId: 'x-payout-42' }), undefined);
    assert.equal(invoiceIdOfTransfer({ externalId: 'payout-42-extra' }), undefined);
    assert.equal(invoiceIdOfTransfer({ externalId: 'payout-42-r2x' }), undefined);
    assert.equal(invoiceIdOfTransfer({ externalId: 'payout-42-r12' }), '42');
    assert.equal(invoiceIdOfTransfer({ tags: ['batch-b1-i7', 'payout-7'] }), '7');
  });

  it('reads the attempt back from an externalId of its invoice only', () => {
    assert.equal(attemptOfExternalId('42', 'payout-42'), 1);
    assert.equal(attemptOfExternalId('42', 'payout-42-r3'), 3);
    assert.equal(attemptOfExternalId('42', 'payout-421'), undefined);
    assert.equal(attemptOfExternalId('42', 'payout-4-r2'), undefined);
    assert.equal(attemptOfExternalId('42', 'xpayout-42-r2'), undefined);
    assert.equal(attemptOfExternalId('42', 'payout-42-r2x'), undefined);
  });
});

describe('destination', () => {
  it('is the pinned account by default: Stark Bank S.A., bank 20018183, branch 0001, a payment account', () => {
    assert.deepEqual(MISSION_DESTINATION, {
      name: 'Stark Bank S.A.',
      taxId: '20.018.183/0001-80',
      bankCode: '20018183',
      branchCode: '0001',
      accountNumber: '6341320293482496',
      accountType: 'payment',
    });
  });
});
