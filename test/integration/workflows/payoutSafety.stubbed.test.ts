import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorTypes } from '../../../src/domain/errorTypes';
import type { payout } from '../../../src/workflows/payout';
import {
  approveUpdate,
  lookUpTransferSignal,
  payoutStateQuery,
  rejectUpdate,
  resumeSignal,
  retryUpdate,
} from '../../../src/workflows/payoutDefinitions';
import type { DecisionEntry } from '../../../src/workflows/decisionRecordDefinitions';
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
const rejection: DecisionEntry = {
  id: 'r1',
  action: 'reject',
  operator: 'ana',
  note: 'fraud',
  at: '2026-11-01T12:00:00Z',
  payoutStatus: 'AwaitingApproval',
};

/** Asserts the payout refuses `reject` now, saying it waits for something else (or for nothing). */
async function refusesReject(handle: WorkflowHandle<typeof payout>): Promise<void> {
  await assert.rejects(handle.executeUpdate(rejectUpdate, { args: [operator] }), (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError);
    assert.match(String(err.cause?.message), /cannot reject a payout that is \w+: it waits for (retry|no decision)/);
    return true;
  });
}

/**
 * What keeps money safe over time and under operators, against stubbed activities on the real dev server (the
 * create goes through the real send gate): decisions offered only where the money can honour them, no payout ending
 * Failed, long waits continuing as new, checks at the moment of sending, decisions that outlive the payout's run.
 */
describe('payout safety (stubbed activities)', function () {
  this.timeout(60_000);

  describe('decisions the money can honour', () => {
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

    it('accepts only the decisions a wait offers: retry is refused while awaiting approval, reject is taken', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
      bank.createGate = new Promise(() => undefined); // never sends: the payout stays past the decision
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('AwaitingApproval');
        const [first, second] = await Promise.allSettled([
          handle.executeUpdate(retryUpdate, { args: [operator] }),
          handle.executeUpdate(rejectUpdate, { args: [operator] }),
        ]);
        assert.equal(first.status, 'rejected', 'retry is not what an approval waits for');
        assert.equal(second.status, 'fulfilled');
        assert.equal((await handle.result()).status, 'Rejected');
        assert.deepEqual(bank.created, []);
      });
    });

    // A: while a transfer may still succeed, reject is never offered, whatever went wrong around it.
    it('offers only "look again" while its transfer is in flight and cannot be looked up (A)', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'processing' }, { status: 'success' }];
      bank.lookupFailures = [ApplicationFailure.nonRetryable('Stark Bank answered HTTP 403', ErrorTypes.input)];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const waiting = await reaches('NeedsAttention');
        assert.match(waiting.reasons.join(), /HTTP 403/);
        assert.deepEqual(waiting.waitsFor, ['retry']);
        await refusesReject(handle);
        bank.outcomes = [{ status: 'success' }];
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.equal(bank.created.length, 1, 'the retry followed the same transfer, it did not send another');
      });
    });

    it('offers only "look again" for a transfer whose status the product does not know (A)', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'unknown', rawStatus: 'reversed' }];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const waiting = await reaches('NeedsAttention');
        assert.match(waiting.reasons.join(), /status "reversed", which the product does not know/);
        await refusesReject(handle);
        bank.outcomes = [{ status: 'success' }];
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
      });
    });

    it('follows a transfer whose create failed but committed, offering no reject on the way (A)', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'processing' }];
      bank.unreadableAfterCreate = true;
      bank.createFailures = [
        { failure: ApplicationFailure.nonRetryable('create transfer: HTTP 403', ErrorTypes.input), committed: true },
      ];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('Sending');
        await eventually(async () => (await handle.query(payoutStateQuery)).attempts.length > 0 || undefined);
        await refusesReject(handle);
        bank.outcomes = [{ status: 'success' }];
        await handle.signal(lookUpTransferSignal);
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.equal(bank.created.length, 1);
        assert.deepEqual(bank.held(), [`payout-${result.invoiceId}@2026-11-29`], 'the transfer keeps its grant');
      });
    });

    it('follows a transfer found under its key even above what the check allowed, offering no reject (A)', async () => {
      const bank = new StubBank();
      const invoiceId = nextInvoiceId();
      // Made by an earlier attempt that the payout's check did not see yet, for more than is owed now.
      bank.lateCommits = [{ id: 'late1', externalId: `payout-${invoiceId}`, amount: 20_000, status: 'processing' }];
      await withStubbedPayout(
        bank,
        async ({ handle, reaches }) => {
          await reaches('Sending');
          await eventually(() => Promise.resolve(bank.lookups.length > 0 || undefined));
          await refusesReject(handle);
          bank.lateCommits = [{ ...bank.lateCommits[0]!, status: 'success' }];
          await handle.signal(lookUpTransferSignal);
          const result = await handle.result();
          assert.equal(result.status, 'Succeeded');
          assert.deepEqual(bank.created, [], 'nothing sent again');
          assert.equal(result.sendCents, 20_000, 'shows what left');
        },
        { invoiceId },
      );
    });

    it('offers reject after a failed send only once nothing was made under its key, and gives the grant back (A, F)', async () => {
      const bank = new StubBank();
      bank.createFailures = Array.from({ length: 8 }, unknownKind);
      await withStubbedPayout(bank, async ({ handle, reaches, invoiceId }) => {
        const waiting = await reaches('NeedsAttention');
        assert.match(waiting.reasons.join(), /expected number/);
        assert.deepEqual(waiting.waitsFor, ['retry', 'reject']);
        assert.equal(bank.createFailures.length, 0, 'all eight attempts were made');
        assert.deepEqual(bank.held(), [], 'each failed attempt gave its grant back');
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Rejected');
        assert.deepEqual(bank.created, []);
        assert.ok(bank.grants.every((g) => g.released && g.externalId === `payout-${invoiceId}`));
      });
    });
  });

  describe('approvals that cover one transfer on one day', () => {
    it('asks the day budget right before sending; approving a refusal covers that transfer on that day', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 1_000_000, dailyMaxCents: 50_000 };
      bank.sentToday = 45_000;
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const waiting = await reaches('AwaitingApproval');
        assert.match(waiting.reasons.join(), /above the daily maximum/);
        await handle.executeUpdate(approveUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.deepEqual(
          bank.grants.map((g) => [g.day, g.approvedOverDailyMax]),
          [['2026-11-29', true]],
        );
      });
    });

    it('does not stretch an approval over the daily maximum to a retry on a later day (B)', async () => {
      const bank = new StubBank();
      bank.limits = { maxAmountCents: 1_000_000, dailyMaxCents: 50_000 };
      bank.sentToday = 45_000;
      bank.outcomes = [{ status: 'failed', failureReason: 'account closed' }];
      await withStubbedPayout(bank, async ({ handle, reaches, invoiceId }) => {
        await reaches('AwaitingApproval');
        await handle.executeUpdate(approveUpdate, { args: [operator] });
        await reaches('TransferFailed');
        assert.deepEqual(bank.held(), [], 'the failed transfer gave its grant back');
        bank.today = '2026-11-30';
        bank.outcomes = [{ status: 'failed' }, { status: 'success' }];
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        const waiting = await reaches('AwaitingApproval');
        assert.match(waiting.reasons.join(), /above the daily maximum/);
        assert.equal(bank.created.length, 1, 'the retry waits for an approval of its own');
        assert.deepEqual(
          bank.grants.map((g) => [g.externalId, g.day, g.approvedOverDailyMax]),
          [[`payout-${invoiceId}`, '2026-11-29', true]],
        );
        await handle.executeUpdate(approveUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
        assert.deepEqual(
          bank.grants.map((g) => [g.externalId, g.day, g.approvedOverDailyMax]),
          [
            [`payout-${invoiceId}`, '2026-11-29', true],
            [`payout-${invoiceId}-r2`, '2026-11-30', true],
          ],
        );
      });
    });
  });

  describe('nothing ends Failed', () => {
    it('retries an error of unknown kind a bounded number of times, then waits for a person', async () => {
      const bank = new StubBank();
      bank.createFailures = Array.from({ length: 8 }, unknownKind);
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const waiting = await reaches('NeedsAttention');
        assert.match(waiting.reasons.join(), /expected number/);
        await handle.executeUpdate(retryUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Succeeded');
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

    it('checks the decision record again in the run it continued as new into (C)', async () => {
      const bank = new StubBank();
      let reads = 0;
      const activities = bank.activities();
      // The record cannot be read at first (the read's attempts run out quickly), then shows a rejection.
      bank.activities = () => ({
        ...activities,
        readPayoutFacts: (invoiceId) =>
          ++reads <= 6
            ? Promise.reject(
                ApplicationFailure.create({
                  type: ErrorTypes.transient,
                  message: 'unavailable',
                  nextRetryDelay: '10ms',
                }),
              )
            : activities.readPayoutFacts(invoiceId),
      });
      bank.record = { invoiceId: 'x', entries: [rejection], rejected: rejection, openCases: [] };
      await withStubbedPayout(
        bank,
        async ({ handle }) => {
          const result = await handle.result();
          assert.ok(reads > 6, 'the record was read again after the continue-as-new');
          assert.equal(result.status, 'Rejected');
          assert.deepEqual(bank.created, []);
          const { events } = await handle.fetchHistory();
          const started = events?.[0]?.workflowExecutionStartedEventAttributes;
          assert.ok(started?.continuedExecutionRunId, 'the run that ended it was continued as new');
        },
        { historyLimit: 1 },
      );
    });
  });

  describe('checks at the moment of sending (the send gate)', () => {
    it('waits as paused, sending and reserving nothing, when the pause switch cannot be read', async () => {
      const bank = new StubBank();
      bank.paused = 'unreadable';
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        const paused = await reaches('Paused');
        assert.match(paused.reasons.join(), /no pause switch/);
        assert.deepEqual(bank.created, []);
        assert.deepEqual(bank.grants, [], 'not even the budget is asked before the switch says go');
        bank.paused = false;
        await handle.signal(resumeSignal);
        assert.equal((await handle.result()).status, 'Succeeded');
      });
    });

    it('sends nothing when payouts are paused while the gate reads the invoice, and sends on resume (H)', async () => {
      const bank = new StubBank();
      bank.duringInvoiceRead = () => {
        bank.paused = true;
        bank.duringInvoiceRead = () => undefined;
      };
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('Paused');
        assert.deepEqual(bank.created, []);
        bank.paused = false;
        await handle.signal(resumeSignal);
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.equal(bank.created.length, 1);
        assert.deepEqual(result.decisions, [], 'no operator was needed: a pause is not a problem');
      });
    });

    it('does not lose a resume sent while the gate finds payouts paused: it sends again at once', async () => {
      const bank = new StubBank();
      bank.paused = true;
      let resolveStarted: (handle: WorkflowHandle<typeof payout>) => void = () => undefined;
      const started = new Promise<WorkflowHandle<typeof payout>>((resolve) => (resolveStarted = resolve));
      const activities = bank.activities();
      let sends = 0;
      bank.activities = () => ({
        ...activities,
        // The first send finds the switch on; the resume reaches the payout before the send answers.
        createTransfer: async (request) => {
          const answer = await activities.createTransfer(request);
          if (++sends === 1) {
            const handle = await started;
            await handle.signal(resumeSignal);
            bank.paused = false;
          }
          return answer;
        },
      });
      await withStubbedPayout(bank, async ({ handle }) => {
        resolveStarted(handle);
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.equal(bank.created.length, 1);
        // The pause's backoff is 30 s and more; the follow's polls (0.05 s here) fire as usual.
        const events = (await handle.fetchHistory()).events ?? [];
        const backoffs = new Set(
          events
            .filter((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0) >= 30)
            .map((e) => e.timerStartedEventAttributes!.timerId),
        );
        const fired = events.filter((e) => backoffs.has(e.timerFiredEventAttributes?.timerId));
        assert.equal(fired.length, 0, 'woken by the resume, not by its backoff');
      });
    });

    it('ends Rejected, sending nothing, when a rejection is recorded after the payout checked (D)', async () => {
      const bank = new StubBank();
      bank.duringInvoiceRead = () => {
        bank.record = { invoiceId: 'x', entries: [rejection], rejected: rejection, openCases: [] };
      };
      await withStubbedPayout(bank, async ({ handle }) => {
        const result = await handle.result();
        assert.equal(result.status, 'Rejected');
        assert.match(result.reasons.join(), /rejected by ana at 2026-11-01T12:00:00Z: fraud/);
        assert.deepEqual(bank.created, []);
        assert.deepEqual(bank.grants, []);
      });
    });

    it('opens a case when a rejection was recorded while its transfer was already on its way', async () => {
      const bank = new StubBank();
      bank.outcomes = [{ status: 'processing' }];
      await withStubbedPayout(bank, async ({ handle, reaches }) => {
        await reaches('Sending');
        await eventually(() => Promise.resolve(bank.created.length === 1 || undefined));
        bank.record = { invoiceId: 'x', entries: [rejection], rejected: rejection, openCases: [] };
        bank.outcomes = [{ status: 'success' }];
        await handle.signal(lookUpTransferSignal);
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.match(result.reasons.join(), /rejected by ana .* but transfer t1 had already been made/);
        assert.deepEqual(bank.cases, ['sent-despite-rejection']);
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
      bank.record = { invoiceId: 'x', entries: [rejection], rejected: rejection, openCases: [] };
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
        async () => {
          await eventually(() => Promise.resolve(bank.lookups.length > 0 || undefined));
          assert.deepEqual(bank.lookups, [`payout-${invoiceId}`]);
          assert.deepEqual(bank.created, []);
        },
        { invoiceId },
      );
    });
  });
});
