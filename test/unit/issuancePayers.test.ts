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
  planIssuance,
  seededRandom,
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

  it("plans a run's invoices from its workflow id alone: the same plan on every replay, whatever else draws", () => {
    const input = { count: { min: 8, max: 12 }, amountCents: { min: 1_000, max: 50_000 }, dueInDays: 2 };
    const now = Date.parse('2026-01-02T03:00:00Z');
    const plan = planIssuance('issue-invoices-2026-01-02T03:00:00Z', input, now);
    Math.random();
    assert.deepEqual(planIssuance('issue-invoices-2026-01-02T03:00:00Z', input, now), plan);
    assert.ok(plan.length >= 8 && plan.length <= 12);
    assert.deepEqual(
      plan.map((p) => p.index),
      plan.map((_, i) => i),
    );
    for (const p of plan) {
      assert.ok(Number.isInteger(p.amount) && p.amount >= 1_000 && p.amount <= 50_000, String(p.amount));
      assert.equal(p.due, '2026-01-04T03:00:00.000Z');
    }
    const other = planIssuance('issue-invoices-2026-01-02T06:00:00Z', input, now);
    assert.notDeepEqual(other, plan, 'another run draws other amounts');
    const draws = Array.from({ length: 1_000 }, seededRandom('spread'));
    assert.ok(draws.every((d) => d >= 0 && d < 1));
    assert.ok(Math.min(...draws) < 0.05 && Math.max(...draws) > 0.95, 'draws cover [0, 1)');
  });

  it('splits a list into creates of at most the given size, in order', () => {
    assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunk([1, 2], 2), [[1, 2]]);
    assert.deepEqual(chunk([], 100), []);
  });
});
