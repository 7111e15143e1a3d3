import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { decide, DecisionRefusedError } from '../../../src/decisions/operatorDecisions';
import {
  decisionUpdates,
  rejectUpdate,
  type OperatorDecision,
  type PayoutDecision,
  type PayoutState,
} from '../../../src/workflows/payoutDefinitions';
import { StubBank, withStubbedPayout } from '../../helpers/stubbedPayout';
import { runCli, temporalEnv } from '../../e2e/ops/run';

/** Sends a decision as the Web UI does (by name, raw JSON) and insists it is refused with `why`. */
async function refused(handle: WorkflowHandle, action: PayoutDecision, by: OperatorDecision, why: string) {
  await assert.rejects(handle.executeUpdate(decisionUpdates[action].name, { args: [by] }), (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
    assert.equal(err.cause?.message, why);
    return true;
  });
}

/** A payout held above the per-transfer maximum (R$ 50,00), for R$ 100,00. */
function heldBank(): StubBank {
  const bank = new StubBank();
  bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
  return bank;
}

/**
 * Operator decisions a payout must refuse or hold, by name and by the CLI's path (src/decisions, src/ops), against
 * stubbed activities on the real dev server.
 */
describe('payout decisions (stubbed activities)', function () {
  this.timeout(60_000);

  it('refuses a second reject while the first is carried out, naming who rejected first and when', async () => {
    const bank = heldBank();
    let release!: () => void;
    bank.recordGate = new Promise((resolve) => (release = resolve));
    await withStubbedPayout(bank, async ({ handle, client, taskQueue, invoiceId, reaches }) => {
      await reaches('AwaitingApproval');
      const first: PayoutState = await handle.executeUpdate(rejectUpdate, {
        args: [{ operator: 'ana', note: 'duplicate invoice' }],
      });
      assert.equal(first.status, 'Rejecting');
      const at = first.decisions[0]!.at;
      const why = `cannot reject a payout that is Rejecting: already rejected by ana at ${at}`;

      // The Update itself, as any client sends it.
      await refused(handle, 'reject', { operator: 'bia' }, why);
      // The CLI's path: the decision goes to the running payout, which refuses it and says why.
      await assert.rejects(decide(client, taskQueue, 'reject', invoiceId, { operator: 'bia' }), (err: unknown) => {
        assert.ok(err instanceof DecisionRefusedError, String(err));
        assert.equal(err.message, why);
        return true;
      });
      const cli = await runCli(['payouts', 'reject', invoiceId, '--operator', 'bia'], await temporalEnv(taskQueue));
      assert.equal(cli.code, 1, cli.stderr);
      assert.equal(cli.stderr, `error: reject refused: ${why}\n`);

      release();
      const result = await handle.result();
      assert.equal(result.status, 'Rejected');
      assert.deepEqual(
        result.decisions.map((d) => [d.action, d.operator]),
        [['reject', 'ana']],
        'the refused rejects changed nothing',
      );
      assert.deepEqual(
        bank.recorded.map((d) => [d.action, d.operator]),
        [['reject', 'ana']],
      );
      assert.deepEqual(bank.created, []);
    });
  });
});
