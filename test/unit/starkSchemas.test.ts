import assert from 'node:assert/strict';
import { invoiceLogSchema, invoiceSchema } from '../../src/starkbank/schemas';

describe('Stark Bank results the product relies on', () => {
  const invoice = { id: '1', amount: 10_000, fee: 50, status: 'paid', tags: [] };

  it('reads an invoice with its fee', () => {
    assert.equal(invoiceSchema.parse(invoice).fee, 50);
  });

  it('refuses an invoice without a fee instead of treating it as 0, which would send the gross amount', () => {
    const { fee: _fee, ...withoutFee } = invoice;
    assert.throws(() => invoiceSchema.parse(withoutFee), /fee/);
    assert.throws(
      () => invoiceLogSchema.parse({ id: 'l1', type: 'credited', created: 'x', invoice: withoutFee }),
      /fee/,
    );
  });
});
