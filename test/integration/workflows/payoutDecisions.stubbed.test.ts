import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { decide, DecisionRefusedError } from '../../../src/decisions/operatorDecisions';
import {
  approveUpdate,
  decisionUpdates,
  payoutStateQuery,
  rejectUpdate,
  type OperatorDecision,
  type PayoutDecision,
  type PayoutState,
} from '../../../src/workflows/payoutDefinitions';
import { StubBank, withStubbedPayout } from '../../helpers/stubbedPayout';
import { eventually } from '../../helpers/temporal';
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

/** A payout of R$ 100,00 under four eyes above R$ 50,00 (and no other limit in its way). */
function fourEyesBank(): StubBank {
  const bank = new StubBank();
  bank.limits = { maxAmountCents: 1_000_000, dailyMaxCents: 10_000_000, secondApprovalCents: 5_000 };
  return bank;
}

const approve = (handle: WorkflowHandle, operator: string): Promise<PayoutState> =>
  handle.executeUpdate(approveUpdate, { args: [{ operator, note: 'checked' }] });

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

  describe('four eyes above PAYOUT_SECOND_APPROVAL_CENTS', () => {
    const firstApproval =
      /^approved by ana, needs a second operator \(two different operators must approve above R\$ 50,00\)$/;

    it('waits after one approval, showing who approved; refuses the same operator again; a second one sends', async () => {
      const bank = fourEyesBank();
      await withStubbedPayout(bank, async ({ handle, invoiceId, reaches }) => {
        const held = await reaches('AwaitingApproval');
        assert.deepEqual(held.reasons, ['amount R$ 100,00: two different operators must approve above R$ 50,00']);

        const first = await approve(handle, 'ana');
        assert.equal(first.status, 'AwaitingApproval', 'the first approval leaves it waiting');
        assert.match(first.reasons.at(-1)!, firstApproval);
        const waiting = await reaches('AwaitingApproval');
        await eventually(async () => ((await handle.query(payoutStateQuery)).waitsFor.length > 0 ? true : undefined));
        assert.deepEqual((await handle.query(payoutStateQuery)).waitsFor, ['approve', 'reject']);
        assert.match(waiting.reasons.at(-1)!, firstApproval);
        assert.deepEqual(bank.created, [], 'one approval sends nothing');

        // The same person again, however the name is typed, is refused and changes nothing.
        const again =
          'cannot approve a payout that is AwaitingApproval: ana already approved it, and a second, different operator must approve';
        await refused(handle, 'approve', { operator: 'ana' }, again);
        await refused(handle, 'approve', { operator: ' ANA ' }, again.replace('ana already', 'ANA already'));
        assert.deepEqual(
          bank.recorded.map((d) => [d.action, d.operator, d.approves]),
          [['approve', 'ana', `payout-${invoiceId}`]],
        );

        await approve(handle, 'bia');
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(bank.created, [{ invoiceId, externalId: `payout-${invoiceId}`, amount: 10_000 }]);
        assert.deepEqual(
          result.decisions.map((d) => [d.action, d.operator]),
          [
            ['approve', 'ana'],
            ['approve', 'bia'],
          ],
        );
      });
    });

    it('rejects after one approval: ends Rejected, nothing sent', async () => {
      const bank = fourEyesBank();
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        await approve(handle, 'ana');
        await eventually(async () => (await handle.query(payoutStateQuery)).waitsFor.includes('reject') || undefined);
        await handle.executeUpdate(rejectUpdate, { args: [{ operator: 'bia', note: 'not this one' }] });
        const result = await handle.result();
        assert.equal(result.status, 'Rejected');
        assert.deepEqual(bank.created, []);
        assert.deepEqual(
          bank.recorded.map((d) => [d.action, d.operator]),
          [
            ['approve', 'ana'],
            ['reject', 'bia'],
          ],
        );
      });
    });

    it('keeps the threshold it was held under when four eyes is turned off meanwhile', async () => {
      const bank = fourEyesBank();
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        bank.limits = { ...bank.limits, secondApprovalCents: undefined };
        const first = await approve(handle, 'ana');
        assert.equal(first.status, 'AwaitingApproval');
        await eventually(async () => ((await handle.query(payoutStateQuery)).waitsFor.length > 0 ? true : undefined));
        assert.deepEqual(bank.created, []);
        await approve(handle, 'bia');
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.equal(bank.created.length, 1);
      });
    });

    it('waits at the gate for a second operator when four eyes is turned on after one approval', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      await withStubbedPayout(bank, async ({ handle, invoiceId, reaches }) => {
        await reaches('AwaitingApproval');
        // Turned on after the payout's check: only the gate knows, and it counts the approvals on the record.
        bank.limits = { ...bank.limits, secondApprovalCents: 5_000 };
        await approve(handle, 'ana');
        const held = await eventually(async () => {
          const state = await handle.query(payoutStateQuery);
          return state.status === 'AwaitingApproval' && state.waitsFor.length > 0 ? state : undefined;
        });
        assert.deepEqual(held.reasons, [
          'approved by ana, needs a second operator (two different operators must approve above R$ 50,00)',
        ]);
        assert.equal(bank.created.length, 0, 'the gate sent nothing on one approval');
        await refused(
          handle,
          'approve',
          { operator: 'ana' },
          'cannot approve a payout that is AwaitingApproval: ana already approved it, and a second, different operator must approve',
        );
        await approve(handle, 'bia');
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.deepEqual(
          bank.created.map((c) => c.externalId),
          [`payout-${invoiceId}`],
        );
      });
    });
  });
});
