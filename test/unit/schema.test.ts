import assert from 'node:assert/strict';
import fc from 'fast-check';

import { describeIssues, parse, safeParse } from '../../src/domain/schema';
import { decisionEntrySchema, decisionRecordStateSchema } from '../../src/workflows/decisionRecordDefinitions';
import { pauseChangeSchema, scheduleActionSchema } from '../../src/workflows/pauseSwitchDefinitions';
import { creditedEventSchema, operatorDecisionSchema } from '../../src/workflows/payoutDefinitions';

const why = (schema: Parameters<typeof safeParse>[0], value: unknown) => {
  const parsed = safeParse(schema, value);
  assert.ok(!parsed.success, 'refused');
  return describeIssues(parsed.issues);
};

const entry = {
  id: 'd-1',
  action: 'approve',
  operator: 'ana',
  at: '2026-12-08T00:00:00.000Z',
  payoutStatus: 'AwaitingApproval',
};

describe('workflow argument schemas (src/domain/schema.ts)', () => {
  it('trims the operator and note, and names what is wrong with a decision', () => {
    assert.deepEqual(parse(operatorDecisionSchema, { operator: '  ana ', note: ' ok ' }, 'approve'), {
      operator: 'ana',
      note: 'ok',
    });
    assert.equal(why(operatorDecisionSchema, {}), '"operator" is missing (who decides)');
    assert.equal(why(operatorDecisionSchema, { operator: ' ' }), '"operator" must not be blank (who decides)');
    assert.equal(why(operatorDecisionSchema, { operator: 7 }), '"operator" must be a name (text)');
    assert.equal(
      why(operatorDecisionSchema, { operator: 'a'.repeat(201) }),
      '"operator" is longer than 200 characters',
    );
    assert.equal(why(operatorDecisionSchema, { operator: 'ana', note: 12 }), '"note" must be text');
    assert.equal(why(operatorDecisionSchema, { operator: 'ana', by: 'bob', as: 1 }), 'unknown fields "by", "as"');
    // Names an object inherits are not fields either.
    assert.equal(why(operatorDecisionSchema, { operator: 'ana', toString: 'x' }), 'unknown field "toString"');
    assert.equal(why(operatorDecisionSchema, null), 'must be an object');
    assert.throws(() => parse(operatorDecisionSchema, [], 'reject'), { message: 'reject: must be an object' });
  });

  it('lists every issue, with its path into nested values', () => {
    assert.equal(
      why(decisionRecordStateSchema, { invoiceId: '1', entries: [entry, { ...entry, action: 'undo', x: 1 }] }),
      '"entries.1.action" must be one of approve, reject, retry, restart, acknowledge; "entries.1" unknown field "x"; ' +
        '"openCases" is missing',
    );
    assert.equal(
      why(scheduleActionSchema, { action: 'delete', scheduleId: ' ', operator: 'ana' }),
      '"action" must be pause, resume or trigger; "scheduleId" must not be blank',
    );
    assert.equal(why(pauseChangeSchema, { operator: 'ana' }), '"paused" is missing (true or false)');
    assert.equal(why(pauseChangeSchema, { paused: 'yes', operator: 'ana' }), '"paused" must be true or false');
    assert.equal(why(creditedEventSchema, { eventId: 'e', amount: 1.5 }), '"amount" must be a whole number');
  });

  it('drops unknown fields of a memo written by a newer build, and keeps optional ones only when given', () => {
    const parsed = safeParse(decisionRecordStateSchema, {
      invoiceId: '1',
      entries: [{ ...entry, heldFor: ['amount'] }],
      openCases: [],
      addedLater: true,
    });
    assert.ok(parsed.success);
    assert.deepEqual(parsed.data, { invoiceId: '1', entries: [{ ...entry, heldFor: ['amount'] }], openCases: [] });
  });

  it('never throws on any input: it parses, or refuses with at least one issue; parsing again changes nothing', () => {
    const field = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(undefined));
    const candidate = fc.oneof(
      fc.anything(),
      fc.record(
        {
          id: field,
          action: fc.constantFrom('approve', 'retry', 'nope'),
          operator: field,
          at: field,
          payoutStatus: field,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(candidate, (value) => {
        const parsed = safeParse(decisionEntrySchema, value);
        if (!parsed.success) return parsed.issues.length > 0;
        assert.deepEqual(safeParse(decisionEntrySchema, parsed.data), parsed);
        return parsed.data.operator.trim() === parsed.data.operator && parsed.data.operator.length > 0;
      }),
    );
  });
});
