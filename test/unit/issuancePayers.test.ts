import assert from 'node:assert/strict';
import { cpf } from 'cpf-cnpj-validator';
import { payerOf } from '../../src/activities/issuance';
import {
  batchIdFromWorkflowId,
  batchTag,
  chunk,
  cpfFromDigits,
  invoiceTag,
  pickInRange,
} from '../../src/domain/issuance';

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

  it('refuses anything but nine single digits', () => {
    for (const nine of [
      [1, 1, 1, 4, 4, 4, 7, 7],
      [1, 1, 1, 4, 4, 4, 7, 7, 7, 7],
      [1, 1, 1, 4, 4, 4, 7, 7, 10],
      [1, 1, 1, 4, 4, 4, 7, 7, -1],
      [1, 1, 1, 4, 4, 4, 7, 7, 1.5],
    ]) {
      assert.throws(
        () => cpfFromDigits(nine),
        { name: 'RangeError', message: 'a CPF starts with nine digits' },
        nine.join(),
      );
    }
    const edges = cpfFromDigits([0, 0, 0, 0, 0, 0, 0, 0, 9]);
    assert.equal(edges, '000.000.009-49', 'digits 0 and 9 are digits');
    assert.ok(cpf.isValid(edges));
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

describe('issuance keys and picks', () => {
  it('makes short, lowercase, URL-safe batch tags from a scheduled workflow id, one per invoice', () => {
    const batchId = batchIdFromWorkflowId('issue-invoices-2026-11-29T12:00:00Z');
    assert.equal(batchId, 'issue-invoices-2026-11-29t12-00-00z');
    assert.equal(batchIdFromWorkflowId('--Run::A//b--'), 'run-a-b');
    assert.equal(batchTag(batchId), 'batch-issue-invoices-2026-11-29t12-00-00z');
    assert.equal(invoiceTag('b1', 7), 'batch-b1-i7');
  });

  it('picks every integer of a range, its ends included, and refuses an empty one', () => {
    assert.equal(pickInRange(0, { min: 8, max: 12 }), 8);
    assert.equal(pickInRange(0.999_999, { min: 8, max: 12 }), 12);
    assert.equal(pickInRange(0.5, { min: 8, max: 12 }), 10);
    assert.equal(pickInRange(0.5, { min: 5, max: 5 }), 5);
    assert.throws(() => pickInRange(0.5, { min: 6, max: 5 }), { name: 'RangeError', message: 'empty range 6..5' });
  });

  it('splits a list into creates of at most the given size, in order', () => {
    assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunk([1, 2], 2), [[1, 2]]);
    assert.deepEqual(chunk([], 100), []);
  });
});
