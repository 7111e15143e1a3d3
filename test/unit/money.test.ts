import assert from 'node:assert/strict';
import { formatBRL, netCreditedAmount } from '../../src/domain/money';
import { invoiceIdOfTransfer, payoutWorkflowId, transferExternalId } from '../../src/domain/payoutIds';

describe('money', () => {
  it('forwards the credited amount minus the fee, in cents', () => {
    assert.equal(netCreditedAmount({ amount: 12_345, fee: 0 }), 12_345);
    assert.equal(netCreditedAmount({ amount: 12_345, fee: 45 }), 12_300);
    assert.equal(netCreditedAmount({ amount: 100, fee: 100 }), 0);
  });

  it('refuses fractional cents', () => {
    assert.throws(() => netCreditedAmount({ amount: 10.5, fee: 0 }), /integer cents/);
    assert.throws(() => netCreditedAmount({ amount: 10, fee: 0.1 }), /integer cents/);
  });

  it('formats reais for people', () => {
    assert.equal(formatBRL(123_456), 'R$ 1.234,56');
    assert.equal(formatBRL(5), 'R$ 0,05');
    assert.equal(formatBRL(-250), '-R$ 2,50');
  });
});

describe('payout ids', () => {
  it('derives the workflow id and externalIds from the invoice id', () => {
    assert.equal(payoutWorkflowId('5166945473134592'), 'payout-5166945473134592');
    assert.equal(transferExternalId('5166945473134592', 1), 'payout-5166945473134592');
    assert.equal(transferExternalId('5166945473134592', 3), 'payout-5166945473134592-r3');
    assert.throws(() => transferExternalId('1', 0), RangeError);
  });

  it('never uses the invoice- prefix Stark Bank keeps for itself', () => {
    assert.doesNotMatch(transferExternalId('42', 1), /^invoice-/);
  });

  it('finds the invoice a transfer belongs to, from its externalId or tags', () => {
    assert.equal(invoiceIdOfTransfer({ externalId: 'payout-42-r2', tags: [] }), '42');
    assert.equal(invoiceIdOfTransfer({ externalId: null, tags: ['payout', 'payout-77'] }), '77');
    assert.equal(invoiceIdOfTransfer({ externalId: 'invoice-42', tags: ['payout'] }), undefined);
    assert.equal(invoiceIdOfTransfer({ externalId: 'payout-abc' }), undefined);
  });
});
