import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorTypes } from '../../../src/domain/errorTypes';
import {
  approveUpdate,
  lookUpTransferSignal,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
} from '../../../src/workflows/payoutDefinitions';
import { nextInvoiceId, StubBank, withStubbedPayout } from '../../helpers/stubbedPayout';
import { captureHistory } from '../../helpers/histories';
import { eventually } from '../../helpers/temporal';

const operator = { operator: 'ana', note: 'checked with finance' };
/** A failure of a kind the product does not classify, retried quickly so its bounded attempts run out fast. */
const unknownKind = () =>
  // What starkCall makes of a schema drift (test/unit/starkErrors.test.ts), retried sooner.
  ApplicationFailure.create({
    type: ErrorTypes.unexpected,
    message: 'create transfer: unexpected answer (transfer.amount: expected number)',
    nextRetryDelay: '10ms',
  });

/**
 * What keeps money safe over time and under operators (issue 13), against stubbed activities on the real dev
 * server: decisions accepted only when awaited, no payout ending Failed, long waits continuing as new, checks at
 * the moment of sending, and decisions that outlive the payout's own run.
 */
describe('payout safety (stubbed activities)', function () {
  this.timeout(60_000);

  describe('operator decisions', () => {
    it('refuses a reject while an accepted retry is being carried out, and shows that it is', async () => {
      const bank = new StubBank();
      bank.createFailures = [ApplicationFailure.nonRetryable('Stark Bank refused the request', ErrorTypes.input)];
      let release: () => void = () => undefined;
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('NeedsAttention');
        bank.createGate = new Promise((resolve) => (release = resolve));
        const accepted = await handle.executeUpdate(retryUpdate, { args: [operator] });
        assert.equal(accepted.status, 'Retrying');
        await reaches('Sending');
        await assert.rejects(handle.executeUpdate(rejectUpdate, { args: [operator] }), (err: unknown) => {
          assert.ok(err instanceof WorkflowUpdateFailedError);
          assert.match(String(err.cause?.message), /cannot reject a payout that is Sending: it waits for no decision/);
          return true;
        });
        release();
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.equal(bank.created.length, 1);
        assert.deepEqual(
          result.decisions.map((d) => d.action),
          ['retry'],
        );
      });
    });

    it('accepts only the decisions a hold waits for: retry is refused while awaiting approval, reject is taken', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      bank.createGate = new Promise(() => undefined); // never sends: the payout stays past the decision
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        const [first, second] = await Promise.allSettled([
          handle.executeUpdate(retryUpdate, { args: [operator] }),
          handle.executeUpdate(rejectUpdate, { args: [operator] }),
        ]);
        assert.equal(first.status, 'rejected', 'retry is not what an approval hold waits for');
        assert.equal(second.status, 'fulfilled');
        assert.equal((await handle.result()).status, 'Rejected');
        assert.deepEqual(bank.created, []);
      });
    });
  });

  describe('nothing ends Failed', () => {
    it('parks a payout whose transfer lookup is refused, with the transfer in flight, instead of failing', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'processing' }, { status: 'success' }];
      bank.lookupFailures = [ApplicationFailure.nonRetryable('Stark Bank answered HTTP 403', ErrorTypes.input)];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const parked = await reaches('NeedsAttention');
        assert.match(parked.reasons.join(), /HTTP 403/);
        assert.deepEqual(parked.awaiting, ['retry', 'reject']);
        bank.outcomes = [{ status: 'success' }];
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.equal(bank.created.length, 1, 'the retry followed the same transfer, it did not send another');
      });
    });

    it('retries an error of unknown kind a bounded number of times, then parks it for a person', async () => {
      const bank = new StubBank();
      bank.createFailures = Array.from({ length: 8 }, unknownKind);
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const parked = await reaches('NeedsAttention');
        assert.match(parked.reasons.join(), /expected number/);
        assert.equal(bank.createFailures.length, 0, 'all eight attempts were made');
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
      });
    });

    it('parks a transfer whose status the product does not know instead of polling it for ever', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'unknown', rawStatus: 'reversed' }];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const parked = await reaches('NeedsAttention');
        assert.match(parked.reasons.join(), /status "reversed", which the product does not know/);
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Rejected');
      });
    });
  });

  describe('long waits', () => {
    it('keeps history bounded by continuing as new while paused, and pays once after resume', async () => {
      const bank = new StubBank();
      bank.paused = true;
      await withStubbedPayout(
        bank,
        async ({ handle, reaches }) => {
          await reaches('Paused');
          const firstRun = (await handle.describe()).runId;
          // Each wake-up while still paused adds to history, as the poll does over days.
          for (let i = 0; i < 40; i++) await handle.signal(resumeSignal);
          await eventually(async () => ((await handle.describe()).runId !== firstRun ? true : undefined), {
            what: 'a continue-as-new',
          });
          bank.paused = false;
          await handle.signal(resumeSignal);
          const result = await handle.result();
          assert.equal(result.status, 'Succeeded');
          assert.equal(bank.created.length, 1, 'paid once across runs');
          const { events } = await handle.fetchHistory();
          assert.ok((events?.length ?? 0) < 80, `the last run's history has ${events?.length} events`);
          await captureHistory(handle, 'payout/continued-as-new');
        },
        { historyLimit: 60 },
      );
    });
  });

  describe('checks at the moment of sending', () => {
    it('waits as paused, sending nothing, when the pause switch cannot be read', async () => {
      const bank = new StubBank();
      bank.paused = 'unreadable';
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const paused = await reaches('Paused');
        assert.match(paused.reasons.join(), /no pause switch/);
        assert.deepEqual(bank.created, []);
        assert.deepEqual(bank.reservations, [], 'not even the budget is asked before the switch says go');
        bank.paused = false;
        await handle.signal(resumeSignal);
        assert.equal((await handle.result()).status, 'Succeeded');
      });
    });

    it('goes back to waiting when the transfer create finds payouts paused', async () => {
      const bank = new StubBank();
      bank.createFailures = [ApplicationFailure.nonRetryable('an operator paused all payouts', ErrorTypes.paused)];
      await withStubbedPayout(bank, async ({ handle }) => {
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.equal(bank.created.length, 1);
        assert.deepEqual(result.decisions, [], 'no operator was needed: a pause is not a problem');
      });
    });

    it('asks the day budget right before sending; approving a refusal forces it', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 1_000_000, dailyMaxCents: 50_000 };
      bank.sentToday = 45_000;
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const waiting = await reaches('AwaitingApproval');
        assert.match(waiting.reasons.join(), /above the daily maximum/);
        await handle.executeUpdate(approveUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.deepEqual(
          bank.reservations.map((r) => r.force),
          [true],
        );
      });
    });
  });

  describe('reconciliation', () => {
    it('wakes a payout that follows its transfer when reconciliation asks it to look', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'processing' }];
      await withStubbedPayout(
        bank,
        async ({ handle, reaches }) => {
          await reaches('Sending');
          await eventually(() => Promise.resolve(bank.created.length === 1 || undefined));
          bank.outcomes = [{ status: 'success' }];
          await handle.signal(lookUpTransferSignal);
          assert.equal((await handle.result()).status, 'Succeeded');
        },
        { poll: { firstSeconds: 3_600, maxSeconds: 3_600 } },
      );
    });
  });

  describe('decisions that outlive the payout', () => {
    it('ends Rejected at once, sending nothing, when the invoice was rejected in an earlier run', async () => {
      const bank = new StubBank();
      const entry = {
        id: 'r1',
        action: 'reject' as const,
        operator: 'ana',
        note: 'fraud',
        at: '2026-11-01T12:00:00Z',
        payoutStatus: 'AwaitingApproval',
      };
      bank.record = { invoiceId: 'x', entries: [entry], rejected: entry };
      await withStubbedPayout(bank, async ({ handle }) => {
        const result = await handle.result();
        assert.equal(result.status, 'Rejected');
        assert.match(result.reasons.join(), /rejected by ana at 2026-11-01T12:00:00Z: fraud/);
        assert.deepEqual(bank.created, []);
      });
    });

    it('takes over what earlier runs sent: a success is not sent again, a failure is followed by the next attempt', async () => {
      const succeeded = new StubBank();
      const paidId = nextInvoiceId();
      succeeded.earlier = [
        { attempt: 1, id: 'old1', externalId: `payout-${paidId}`, amount: 10_000, status: 'success' },
      ];
      await withStubbedPayout(
        succeeded,
        async ({ handle }) => {
          const result = await handle.result();
          assert.equal(result.status, 'Succeeded');
          assert.match(result.reasons.join(), /made by an earlier run/);
          assert.deepEqual(succeeded.created, []);
        },
        { invoiceId: paidId },
      );

      const failed = new StubBank();
      const failedId = nextInvoiceId();
      failed.earlier = [{ attempt: 1, id: 'old1', externalId: `payout-${failedId}`, amount: 10_000, status: 'failed' }];
      await withStubbedPayout(
        failed,
        async ({ handle }) => {
          assert.equal((await handle.result()).status, 'Succeeded');
          assert.deepEqual(
            failed.created.map((c) => c.externalId),
            [`payout-${failedId}-r2`],
          );
        },
        { invoiceId: failedId },
      );
    });

    it('follows a transfer an earlier run left in flight instead of creating one', async () => {
      const bank = new StubBank();
      const invoiceId = nextInvoiceId();
      bank.earlier = [
        { attempt: 1, id: 'old1', externalId: `payout-${invoiceId}`, amount: 10_000, status: 'processing' },
      ];
      await withStubbedPayout(
        bank,
        async ({ handle }) => {
          await eventually(() => Promise.resolve(bank.lookups.length > 0 || undefined));
          assert.deepEqual(bank.lookups, [`payout-${invoiceId}`]);
          assert.deepEqual(bank.created, []);
          void handle;
        },
        { invoiceId },
      );
    });
  });
});
