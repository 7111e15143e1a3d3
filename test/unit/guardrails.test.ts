import assert from 'node:assert/strict';
import { guardrailViolations, type GuardrailLimits } from '../../src/domain/guardrails';

const limits: GuardrailLimits = { maxAmountCents: 100_000, dailyMaxCents: 500_000, workspaceId: '111' };
const credited = { amount: 10_000, fee: 0 };

describe('guardrailViolations', () => {
  it('lets an ordinary payout through', () => {
    const event = { amount: 10_000, fee: 0, workspaceId: '111' };
    assert.deepEqual(guardrailViolations({ credited, event, netCents: 10_000, sentTodayCents: 0 }, limits), []);
  });

  it('stops a payout above the per-transfer maximum', () => {
    const reasons = guardrailViolations(
      { credited: { amount: 100_001, fee: 0 }, netCents: 100_001, sentTodayCents: 0 },
      limits,
    );
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!, /per-transfer maximum/);
  });

  it('allows exactly the per-transfer maximum', () => {
    const at = { amount: 100_000, fee: 0 };
    assert.deepEqual(guardrailViolations({ credited: at, netCents: 100_000, sentTodayCents: 0 }, limits), []);
  });

  it('stops a payout that would cross the daily maximum', () => {
    const reasons = guardrailViolations({ credited, netCents: 10_000, sentTodayCents: 490_001 }, limits);
    assert.match(reasons.join(), /daily maximum/);
    assert.deepEqual(guardrailViolations({ credited, netCents: 10_000, sentTodayCents: 490_000 }, limits), []);
  });

  it('flags an event whose amount or fee differs from the API', () => {
    const amount = guardrailViolations(
      { credited, event: { amount: 10_001, fee: 0 }, netCents: 10_000, sentTodayCents: 0 },
      limits,
    );
    const fee = guardrailViolations(
      { credited, event: { amount: 10_000, fee: 5 }, netCents: 10_000, sentTodayCents: 0 },
      limits,
    );
    assert.match(amount.join(), /event said/);
    assert.match(fee.join(), /event said/);
  });

  it('flags an event from another workspace, only when a workspace is configured', () => {
    const event = { amount: 10_000, fee: 0, workspaceId: '999' };
    assert.match(
      guardrailViolations({ credited, event, netCents: 10_000, sentTodayCents: 0 }, limits).join(),
      /workspace 999/,
    );
    const open = { ...limits, workspaceId: undefined };
    assert.deepEqual(guardrailViolations({ credited, event, netCents: 10_000, sentTodayCents: 0 }, open), []);
  });
});
