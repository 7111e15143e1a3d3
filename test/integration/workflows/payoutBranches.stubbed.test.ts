import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorTypes } from '../../../src/domain/errorTypes';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../../../src/temporal/searchAttributes';
import {
  approveUpdate,
  invoiceCreditedSignal,
  payoutStateQuery,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
  transferUpdatedSignal,
} from '../../../src/workflows/payoutDefinitions';
import { StubBank, withStubbedPayout } from '../../helpers/stubbedPayout';

const operator = { operator: 'ana', note: 'checked with finance' };

/**
 * Every branch of the payout and every operator action, against stubbed activities on the real dev server:
 * what the workflow decides, not what Stark Bank does (test/integration/workflows/payout.test.ts covers that).
 */
describe('payout branches (stubbed activities)', function () {
  this.timeout(30_000);

  it('sends amount minus fee once, to the externalId of the invoice, and records it for search', async () => {
    const bank = new StubBank();
    bank.credited = { invoiceId: '', amount: 10_000, fee: 50, status: 'paid', reversedCents: 0 };
    await withStubbedPayout(bank, async ({ handle, invoiceId }) => {
      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.equal(result.netCents, 9_950);
      assert.deepEqual(bank.created, [{ invoiceId, externalId: `payout-${invoiceId}`, amount: 9_950 }]);
      assert.deepEqual(
        result.attempts.map((a) => [a.attempt, a.externalId, a.status]),
        [[1, `payout-${invoiceId}`, 'success']],
      );
      const attributes = (await handle.describe()).typedSearchAttributes;
      assert.equal(attributes.get(InvoiceIdKey), invoiceId);
      assert.equal(attributes.get(PayoutStatusKey), 'Succeeded');
      assert.equal(attributes.get(PayoutAmountKey), 9_950);
      assert.equal(attributes.get(TransferIdKey), 't1');
    });
  });

  it('ends Invalid, sending nothing, when the invoice does not exist', async () => {
    const bank = new StubBank();
    bank.credited = 'not-found';
    await withStubbedPayout(bank, async ({ handle }) => {
      const result = await handle.result();
      assert.equal(result.status, 'Invalid');
      assert.match(result.reasons.join(), /does not exist or was never credited/);
      assert.deepEqual(bank.created, []);
    });
  });

  it('ends NothingToSend when the fee takes the whole amount', async () => {
    const bank = new StubBank();
    bank.credited = { invoiceId: '', amount: 500, fee: 500, status: 'paid', reversedCents: 0 };
    await withStubbedPayout(bank, async ({ handle }) => {
      const result = await handle.result();
      assert.equal(result.status, 'NothingToSend');
      assert.equal(result.netCents, 0);
      assert.deepEqual(bank.created, []);
    });
  });

  describe('guardrails', () => {
    it('waits above the per-transfer maximum; approve sends, and is recorded', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const waiting = await reaches('AwaitingApproval');
        assert.match(waiting.reasons.join(), /per-transfer maximum/);
        assert.deepEqual(bank.created, []);
        await handle.executeUpdate(approveUpdate, { args: [operator] });
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(
          result.decisions.map((d) => [d.action, d.operator, d.note]),
          [['approve', operator.operator, operator.note]],
        );
        assert.deepEqual(
          bank.recorded.map((d) => d.action),
          ['approve'],
          'recorded beyond the payout',
        );
        assert.equal(bank.created.length, 1);
      });
    });

    it('waits when the day would cross the daily maximum', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 1_000_000, dailyMaxCents: 50_000 };
      bank.sentToday = 45_000;
      await withStubbedPayout(bank, async ({ reaches }) => {
        const waiting = await reaches('AwaitingApproval');
        assert.match(waiting.reasons.join(), /daily maximum/);
        assert.deepEqual(bank.created, []);
      });
    });

    it('waits when the credited event disagrees with the API, or comes from another workspace', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 1_000_000, dailyMaxCents: 10_000_000, workspaceId: 'ours' };
      const event = { eventId: 'e1', amount: 90_000, fee: 0, workspaceId: 'theirs' };
      await withStubbedPayout(
        bank,
        async ({ reaches }) => {
          const waiting = await reaches('AwaitingApproval');
          assert.match(waiting.reasons.join(), /event said R\$ 900,00/);
          assert.match(waiting.reasons.join(), /workspace theirs/);
          assert.deepEqual(bank.created, []);
        },
        {},
        event,
      );
    });

    it('rejects: ends Rejected with the operator recorded, and sends nothing', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
        const result = await handle.result();
        assert.equal(result.status, 'Rejected');
        assert.deepEqual(
          result.decisions.map((d) => [d.action, d.operator]),
          [['reject', operator.operator]],
        );
        assert.deepEqual(
          bank.recorded.map((d) => d.action),
          ['reject'],
          'recorded beyond the payout',
        );
        assert.deepEqual(bank.created, []);
      });
    });

    it('refuses a decision with a missing, blank or malformed argument, as the Web UI sends it, saying what is wrong', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        // By name with raw JSON, as the Web UI's "Send an Update" does: no typed definition on the client's side.
        const refusedWith = async (name: string, arg: unknown, why: RegExp) =>
          assert.rejects(handle.executeUpdate(name, { args: [arg] }), (err: unknown) => {
            assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
            assert.match(String(err.cause?.message), why);
            return true;
          });
        await refusedWith('reject', {}, /reject needs .*"operator" is missing \(who decides\)/);
        await refusedWith('approve', {}, /approve needs .*"operator" is missing/);
        await refusedWith('approve', { operator: '   ' }, /"operator" must not be blank/);
        await refusedWith('approve', { operator: '' }, /"operator" must not be blank/);
        await refusedWith('approve', { operator: 7 }, /"operator" must be a name/);
        await refusedWith('approve', { operator: 'ana', by: 'bob' }, /unknown field "by"/);
        await refusedWith('approve', { operator: 'ana', note: 12 }, /"note" must be text/);
        await refusedWith('approve', null, /approve needs/);
        await refusedWith('approve', undefined, /approve needs/);
        assert.equal((await handle.query(payoutStateQuery)).status, 'AwaitingApproval', 'nothing was decided');
        assert.equal(bank.recorded.length, 0);

        // A well-formed one goes through, its operator trimmed.
        await handle.executeUpdate('approve', { args: [{ operator: '  ana ', note: 'known payer' }] });
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(
          result.decisions.map((d) => [d.action, d.operator, d.note]),
          [['approve', 'ana', 'known payer']],
        );
        assert.deepEqual(
          bank.recorded.map((d) => [d.action, d.operator]),
          [['approve', 'ana']],
        );
      });
    });

    it('ignores a malformed signal and goes on', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        await handle.signal('invoiceCredited', { eventId: 'e9', amount: 'lots' });
        await handle.signal('transferUpdated', {});
        const state = await handle.query(payoutStateQuery);
        assert.ok(!state.eventIds.includes('e9'), 'a malformed event is not remembered as heard');
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Rejected');
      });
    });

    it('refuses a retry while awaiting approval, saying why', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        await assert.rejects(handle.executeUpdate(retryUpdate, { args: [operator] }), (err: unknown) => {
          assert.ok(err instanceof WorkflowUpdateFailedError);
          assert.match(String(err.cause?.message), /cannot retry a payout that is AwaitingApproval/);
          return true;
        });
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
      });
    });
  });

  describe('pause', () => {
    it('holds the transfer while paused, refuses approval meanwhile, and sends on resume', async () => {
      const bank = new StubBank();
      bank.paused = true;
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('Paused');
        assert.deepEqual(bank.created, []);
        await assert.rejects(handle.executeUpdate(approveUpdate, { args: [operator] }), WorkflowUpdateFailedError);
        bank.paused = false;
        await handle.signal(resumeSignal);
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.equal(bank.created.length, 1);
      });
    });
  });

  describe('NeedsAttention', () => {
    const refused = () => ApplicationFailure.nonRetryable('Stark Bank refused the request', ErrorTypes.input);

    it('parks a step the API refuses; retry runs the step again under the same externalId', async () => {
      const bank = new StubBank();
      bank.createFailures = [refused()];
      await withStubbedPayout(bank, async ({ handle, invoiceId, reaches }) => {
        const parked = await reaches('NeedsAttention');
        assert.match(parked.reasons.join(), /Stark Bank refused the request/);
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(
          bank.created.map((c) => c.externalId),
          [`payout-${invoiceId}`],
        );
      });
    });

    it('rejects from NeedsAttention, sending nothing', async () => {
      const bank = new StubBank();
      bank.createFailures = [refused()];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('NeedsAttention');
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Rejected');
        assert.deepEqual(bank.created, []);
      });
    });
  });

  describe('TransferFailed', () => {
    it("shows Stark Bank's reason; retry makes a new transfer under a derived externalId", async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'failed', failureReason: 'invalid account' }, { status: 'success' }];
      await withStubbedPayout(bank, async ({ handle, invoiceId, reaches }) => {
        const failed = await reaches('TransferFailed');
        assert.deepEqual(failed.reasons, ['invalid account']);
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(
          bank.created.map((c) => c.externalId),
          [`payout-${invoiceId}`, `payout-${invoiceId}-r2`],
        );
        assert.deepEqual(
          result.attempts.map((a) => a.status),
          ['failed', 'success'],
        );
      });
    });

    it('rejects after a failed transfer: ends Rejected, no second transfer', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'failed', failureReason: 'invalid account' }];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('TransferFailed');
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Rejected');
        assert.equal(bank.created.length, 1);
      });
    });
  });

  describe('events', () => {
    it('counts a credited event once, however often it arrives', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        for (let i = 0; i < 3; i++) {
          await handle.signal(invoiceCreditedSignal, { eventId: 'e1', amount: 10_000, fee: 0 });
        }
        const waiting = await reaches('AwaitingApproval');
        assert.deepEqual(waiting.eventIds, ['e1']);
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
      });
    });

    it('is woken by its transfer event instead of waiting for the next poll', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'processing' }];
      await withStubbedPayout(
        bank,
        async ({ handle, reaches }) => {
          await reaches('Sending');
          await new Promise((resolve) => setTimeout(resolve, 200));
          const lookupsBefore = bank.lookups.length;
          bank.outcomes = [{ status: 'success' }];
          await handle.signal(transferUpdatedSignal, { eventId: 'te1', transferId: 't1', status: 'success' });
          assert.equal((await handle.result()).status, 'Succeeded');
          assert.equal(bank.lookups.length, lookupsBefore + 1, 'one lookup, on the event');
        },
        { poll: { firstSeconds: 3_600, maxSeconds: 3_600 } },
      );
    });
  });
});
