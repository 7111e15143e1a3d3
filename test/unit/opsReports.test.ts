import assert from 'node:assert/strict';
import type { ReconciliationReport } from '../../src/workflows/activityTypes';
import { renderReconciliation } from '../../src/ops/recovery';

describe('ops recovery report', () => {
  const clean: ReconciliationReport = {
    since: '2026-11-26',
    credited: 1,
    reversed: 0,
    transfers: 1,
    creditedNetCents: 9_950,
    reversedBeforePayoutCents: 0,
    reversalLossCents: 0,
    sentCents: 9_950,
    unpaid: [],
    sentWithoutCredit: [],
    amountMismatches: [],
    duplicates: [],
    reversalLosses: [],
  };

  it('says clean when credits and transfers agree', () => {
    assert.match(renderReconciliation(clean), /verdict:\s+clean/);
  });

  it('says DRIFT for an amount mismatch alone, as the domain drift check does', () => {
    const mismatch = { ...clean, amountMismatches: [{ invoiceId: '1', expected: 9_950, sent: 9_950 }] };
    assert.match(renderReconciliation(mismatch), /verdict:\s+DRIFT/);
  });
});
