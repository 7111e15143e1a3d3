import assert from 'node:assert/strict';
import { cpf } from 'cpf-cnpj-validator';
import { payerOf } from '../../src/activities/issuance';
import { cpfFromDigits } from '../../src/domain/issuance';

describe('issuance payers', () => {
  it('makes CPFs whose check digits are right', () => {
    assert.equal(cpfFromDigits([1, 1, 1, 4, 4, 4, 7, 7, 7]), '111.444.777-35');
    for (let n = 0; n < 200; n++) {
      const digits = String(100_000_000 + n * 4_999_999)
        .slice(0, 9)
        .split('')
        .map(Number);
      assert.ok(cpf.isValid(cpfFromDigits(digits)), cpfFromDigits(digits));
    }
  });

  it('gives an invoice the same payer on every attempt, and different invoices different payers', () => {
    assert.deepEqual(payerOf('batch-a', 3), payerOf('batch-a', 3));
    const payers = Array.from({ length: 12 }, (_, i) => payerOf('batch-a', i));
    assert.equal(new Set(payers.map((p) => p.taxId)).size, 12);
    for (const p of payers) {
      assert.ok(cpf.isValid(p.taxId), p.taxId);
      assert.ok(p.name.split(' ').length >= 2, p.name);
    }
    assert.notDeepEqual(payerOf('batch-b', 3), payerOf('batch-a', 3));
  });
});
