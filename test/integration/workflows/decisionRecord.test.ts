import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openCase, openLossCase, readDecisionRecord, recordDecision } from '../../../src/decisions/records';
import type { DecisionEntry, OperatorAction } from '../../../src/workflows/decisionRecordDefinitions';
import { nextInvoiceId } from '../../helpers/stubbedPayout';
import { eventually, withWorker } from '../../helpers/temporal';

const entry = (action: OperatorAction): DecisionEntry => ({
  id: `${action}/${randomUUID()}`,
  action,
  operator: 'ana',
  at: new Date().toISOString(),
  payoutStatus: 'Closed (Succeeded)',
});

/** An invoice's decision record on the real dev server: which decisions close which cases. */
describe('decision record (real dev server)', function () {
  this.timeout(60_000);

  it('keeps a case about money that left open through a reject, until it is acknowledged (E)', async () => {
    await withWorker({ workflowsPath: require.resolve('../../../src/workflows') }, async ({ client, taskQueue }) => {
      const invoiceId = nextInvoiceId();
      const loss = { invoiceId, transferId: 't1', sentCents: 10_000, owedCents: 6_000, lossCents: 4_000 };
      assert.equal(await openLossCase(client, taskQueue, loss), 'case-opened');
      await openCase(client, taskQueue, invoiceId, {
        kind: 'sent-despite-rejection',
        reason: 'sent before the reject',
      });

      const rejected = await recordDecision(client, taskQueue, invoiceId, entry('reject'));
      assert.ok(rejected.rejected);
      assert.deepEqual(
        rejected.openCases.map((c) => c.kind),
        ['reversal-loss', 'sent-despite-rejection'],
        'a reject resolves whether to pay, not money that already left',
      );
      const restarted = await recordDecision(client, taskQueue, invoiceId, entry('restart'));
      assert.equal(restarted.openCases.length, 2);
      // A reconciliation run that finds the same loss again counts it once.
      assert.equal(await openLossCase(client, taskQueue, loss), 'case-open');

      const acknowledged = await recordDecision(client, taskQueue, invoiceId, entry('acknowledge'));
      assert.deepEqual(acknowledged.openCases, []);
      assert.equal(acknowledged.acknowledgedLossCents, 4_000);
      assert.equal(await openLossCase(client, taskQueue, loss), 'acknowledged');
      await eventually(async () =>
        (await readDecisionRecord(client, invoiceId))?.openCases.length === 0 ? true : undefined,
      );
    });
  });

  it('closes a case about whether to pay on a reject or restart, and never reopens one on a rejected invoice', async () => {
    await withWorker({ workflowsPath: require.resolve('../../../src/workflows') }, async ({ client, taskQueue }) => {
      const invoiceId = nextInvoiceId();
      const closed = { kind: 'closed-without-transfer' as const, reason: 'its payout was terminated' };
      assert.equal((await openCase(client, taskQueue, invoiceId, closed)).openCases.length, 1);
      assert.deepEqual((await recordDecision(client, taskQueue, invoiceId, entry('reject'))).openCases, []);
      assert.deepEqual((await openCase(client, taskQueue, invoiceId, closed)).openCases, []);
    });
  });
});
