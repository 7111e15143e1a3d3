import assert from 'node:assert/strict';
import { approversOf, needsTwoApprovals, secondApprovalThreshold } from '../../src/domain/fourEyes';
import { dailyMaxReason, guardrailViolations, type GuardrailLimits } from '../../src/domain/guardrails';

const limits: GuardrailLimits = { maxAmountCents: 100_000, dailyMaxCents: 500_000, workspaceId: '111' };
const credited = { amount: 10_000, fee: 0 };

describe('guardrailViolations', () => {
  it('lets an ordinary payout through', () => {
    const event = { amount: 10_000, fee: 0, workspaceId: '111' };
    assert.deepEqual(guardrailViolations({ credited, event, netCents: 10_000 }, limits), []);
  });

  it('stops a payout above the per-transfer maximum', () => {
    const reasons = guardrailViolations({ credited: { amount: 100_001, fee: 0 }, netCents: 100_001 }, limits);
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!, /per-transfer maximum/);
  });

  it('allows exactly the per-transfer maximum', () => {
    const at = { amount: 100_000, fee: 0 };
    assert.deepEqual(guardrailViolations({ credited: at, netCents: 100_000 }, limits), []);
  });

  it('holds a payout above PAYOUT_SECOND_APPROVAL_CENTS for two operators, and only above it', () => {
    const fourEyes = { ...limits, secondApprovalCents: 10_000 };
    assert.deepEqual(guardrailViolations({ credited, netCents: 10_000 }, fourEyes), []);
    assert.deepEqual(guardrailViolations({ credited: { amount: 10_001, fee: 0 }, netCents: 10_001 }, fourEyes), [
      'amount R$ 100,01: two different operators must approve above R$ 100,00',
    ]);
  });

  it('counts each person once however the name is typed, and applies the lowest threshold given', () => {
    const entries = [
      { action: 'approve', operator: 'ana', approves: 'payout-1' },
      { action: 'approve', operator: ' ANA ', approves: 'payout-1' },
      { action: 'approve', operator: 'bia', approves: 'payout-1-r2' },
      { action: 'reject', operator: 'caio', approves: 'payout-1' },
    ];
    assert.deepEqual(approversOf(entries, 'payout-1'), ['ana']);
    assert.deepEqual(
      approversOf([...entries, { action: 'approve', operator: 'Bia', approves: 'payout-1' }], 'payout-1'),
      ['ana', 'Bia'],
    );
    assert.equal(secondApprovalThreshold(undefined, 5_000, 7_000), 5_000);
    assert.equal(secondApprovalThreshold(undefined, undefined), undefined);
    assert.equal(needsTwoApprovals(5_001, 5_000), true);
    assert.equal(needsTwoApprovals(5_000, 5_000), false);
    assert.equal(needsTwoApprovals(5_001, undefined), false);
  });

  it('leaves the daily maximum to the budget checked at the moment of sending', () => {
    assert.deepEqual(guardrailViolations({ credited, netCents: 10_000 }, { ...limits, dailyMaxCents: 1 }), []);
    assert.equal(
      dailyMaxReason(510_000, 500_000),
      "today's total would be R$ 5.100,00, above the daily maximum R$ 5.000,00",
    );
  });

  it('flags an event whose amount or fee differs from the API', () => {
    const amount = guardrailViolations({ credited, event: { amount: 10_001, fee: 0 }, netCents: 10_000 }, limits);
    const fee = guardrailViolations({ credited, event: { amount: 10_000, fee: 5 }, netCents: 10_000 }, limits);
    assert.deepEqual(amount, ['event said R$ 100,01 (fee R$ 0,00) but the API says R$ 100,00 (fee R$ 0,00)']);
    assert.deepEqual(fee, ['event said R$ 100,00 (fee R$ 0,05) but the API says R$ 100,00 (fee R$ 0,00)']);
    const amountNoFee = guardrailViolations({ credited, event: { amount: 9_000 }, netCents: 10_000 }, limits);
    assert.deepEqual(amountNoFee, ['event said R$ 90,00 but the API says R$ 100,00 (fee R$ 0,00)']);
    const noFee = guardrailViolations({ credited, event: { amount: 10_000 }, netCents: 10_000 }, limits);
    assert.deepEqual(noFee, [], 'an event without a fee is compared on its amount');
  });

  it('flags an event from another workspace, only when a workspace is configured', () => {
    const event = { amount: 10_000, fee: 0, workspaceId: '999' };
    assert.match(guardrailViolations({ credited, event, netCents: 10_000 }, limits).join(), /workspace 999/);
    const open = { ...limits, workspaceId: undefined };
    assert.deepEqual(guardrailViolations({ credited, event, netCents: 10_000 }, open), []);
  });
});
