import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { payoutWorkflowId } from '../../../src/domain/payoutIds';
import { createEventDispatcher } from '../../../src/events/dispatch';
import { parseEvent } from '../../../src/events/schema';
import { createPauseSwitchReader, setPayoutsPaused } from '../../../src/decisions/pauseSwitch';
import { PayoutStatusKey } from '../../../src/temporal/searchAttributes';
import { pauseSwitchWorkflowId } from '../../../src/workflows/pauseSwitchDefinitions';
import { payout } from '../../../src/workflows/payout';
import {
  approveUpdate,
  payoutStateQuery,
  rejectUpdate,
  retryUpdate,
  transferUpdatedSignal,
  type PayoutState,
} from '../../../src/workflows/payoutDefinitions';
import { Context } from '@temporalio/activity';
import { createActivities } from '../../../src/activities';
import type { SendRequest } from '../../../src/domain/sendGate';
import { eventually, getTestEnv, uniqueId, withWorker } from '../../helpers/temporal';
import {
  creditAndDispatch as creditAndDispatchShared,
  createInvoice,
  destination,
  testActivityDeps,
  workflowsPath,
  transfersOf,
  sentOrAwaitingApproval,
  waitForStatus,
  withPayoutWorker,
  type PayoutContext,
} from '../../helpers/payouts';
import { useTestEmulator } from '../../helpers/emulator';
import { captureHistory } from '../../helpers/histories';
import { provisionDeployment } from '../../../src/setup/provisionDeployment';

const operator = { operator: 'test-operator', note: 'checked by hand' };
// Transfers settle within ~100 ms of bank time; payouts poll every second when no transfer event arrives.
const fastBank = { timeScale: 0.01, payShare: 0 };

describe('payout workflow (real dev server, real SDK, emulator)', function () {
  this.timeout(60_000);
  const stark = useTestEmulator({ behaviour: fastBank });

  afterEach(() => {
    stark.emulator.setFaults({ rules: [], errorRate: 0, dropAfterCommitRate: 0 });
    stark.emulator.setBehaviour({ transferFailShare: 0 });
  });

  /** The shared helper, plus the check that the dispatcher started (or signalled) the payout. */
  async function creditAndDispatch(ctx: PayoutContext, amount: number, fee = 0) {
    const credited = await creditAndDispatchShared(stark, ctx, amount, fee);
    assert.equal(credited.outcome, 'payout-started-or-signaled');
    return credited;
  }

  it('sends the credited amount minus the fee to the pinned account, once', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const { invoiceId } = await creditAndDispatch(ctx, 10_000, 50);
      const handle = ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId));
      const result = (await handle.result()) as PayoutState;

      assert.equal(result.status, 'Succeeded');
      assert.equal(result.netCents, 9_950);
      const transfers = await transfersOf(stark.user, invoiceId);
      assert.equal(transfers.length, 1);
      const [t] = transfers;
      assert.equal(t!.amount, 9_950);
      assert.equal(t!.status, 'success');
      assert.equal(t!.externalId, `payout-${invoiceId}`);
      assert.deepEqual(
        { bankCode: t!.bankCode, branchCode: t!.branchCode, accountNumber: t!.accountNumber, taxId: t!.taxId },
        {
          bankCode: destination.bankCode,
          branchCode: destination.branchCode,
          accountNumber: destination.accountNumber,
          taxId: destination.taxId,
        },
      );
      const described = await handle.describe();
      assert.equal(described.typedSearchAttributes.get(PayoutStatusKey), 'Succeeded');
      await captureHistory(handle, 'payout/happy');
    });
  });

  it('makes one payout and one transfer from repeated, concurrent and late events', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const { invoiceId, event } = await creditAndDispatch(ctx, 7_000);
      // This dispatcher remembers the event: copies are answered without reaching Temporal.
      const copies = await Promise.all(Array.from({ length: 3 }, () => ctx.dispatcher.dispatch(event)));
      assert.deepEqual(copies, Array(3).fill('duplicate-delivery'));
      // Dispatchers that have not seen it (other webhook replicas, a restart) reach the payout, which dedupes by id.
      const forgetful = createEventDispatcher({
        client: ctx.client,
        taskQueue: ctx.taskQueue,
        retentionMs: () => Promise.resolve(86_400_000),
        rememberedEvents: 0,
      });
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => forgetful.dispatch(event)));
      assert.ok(outcomes.every((o) => o === 'payout-started-or-signaled' || o === 'payout-already-closed'));
      const handle = ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId));
      const result = (await handle.result()) as PayoutState;
      assert.equal(result.status, 'Succeeded');
      assert.deepEqual(result.eventIds, [event.id]);
      // A credited event arriving after the payout closed is recognised as already processed by Temporal itself.
      assert.equal(await forgetful.dispatch(event), 'payout-already-closed');
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 1);
    });
  });

  it('still makes exactly one transfer when Stark Bank answers 500 and loses a committed response', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      stark.emulator.setFaults({
        rules: [
          { kind: 'error', method: 'POST', path: '/v2/transfer', count: 1 },
          { kind: 'dropAfterCommit', method: 'POST', path: '/v2/transfer', count: 1 },
          { kind: 'error', method: 'GET', path: '/v2/transfer', count: 1 },
        ],
      });
      const { invoiceId } = await creditAndDispatch(ctx, 5_000);
      const result = (await ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId)).result()) as PayoutState;
      assert.equal(result.status, 'Succeeded');
      const transfers = await transfersOf(stark.user, invoiceId);
      assert.equal(transfers.length, 1, 'a retried create must find the committed transfer, not make another');
      assert.equal(transfers[0]!.status, 'success');
      assert.deepEqual(stark.emulator.getFaults().rules, [], 'every injected fault was hit');
      // The failures Temporal stored show no message in clear: it is in their encrypted attributes.
      const history = await ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId)).fetchHistory();
      const failure = history.events?.find((e) => e.activityTaskStartedEventAttributes?.lastFailure)
        ?.activityTaskStartedEventAttributes?.lastFailure;
      assert.equal(failure?.message, 'Encoded failure');
      assert.doesNotMatch(JSON.stringify(history), /Stark Bank unavailable/);
      await captureHistory(ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId)), 'payout/faults');
    });
  });

  it('shows a failed transfer with its reason, and an operator retry succeeds under a derived externalId', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      stark.emulator.setBehaviour({ transferFailShare: 1 });
      const { invoiceId } = await creditAndDispatch(ctx, 4_000);
      const handle = ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId));
      const failed = await waitForStatus(handle, 'TransferFailed');
      assert.equal(failed.attempts.length, 1);
      assert.equal(failed.attempts[0]!.status, 'failed');
      assert.ok(failed.reasons[0] && failed.reasons[0].length > 0, 'the reason is shown');

      stark.emulator.setBehaviour({ transferFailShare: 0 });
      await handle.executeUpdate(retryUpdate, { args: [operator] });
      const result = (await handle.result()) as PayoutState;
      assert.equal(result.status, 'Succeeded');
      const transfers = await transfersOf(stark.user, invoiceId);
      assert.deepEqual(transfers.map((t) => [t.externalId, t.status]).sort(), [
        [`payout-${invoiceId}`, 'failed'],
        [`payout-${invoiceId}-r2`, 'success'],
      ]);
      await captureHistory(handle, 'payout/retried');
    });
  });

  it('waits for an operator above the maximum: approve sends, reject sends nothing', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const approved = await creditAndDispatch(ctx, 3_000);
        const rejected = await creditAndDispatch(ctx, 3_500);
        const approveHandle = ctx.client.workflow.getHandle(payoutWorkflowId(approved.invoiceId));
        const rejectHandle = ctx.client.workflow.getHandle(payoutWorkflowId(rejected.invoiceId));
        const waiting = await waitForStatus(approveHandle, 'AwaitingApproval');
        assert.match(waiting.reasons.join(), /per-transfer maximum/);
        await waitForStatus(rejectHandle, 'AwaitingApproval');
        assert.equal((await transfersOf(stark.user, approved.invoiceId)).length, 0, 'nothing sent before approval');

        await assert.rejects(approveHandle.executeUpdate(retryUpdate, { args: [operator] }), WorkflowUpdateFailedError);
        await approveHandle.executeUpdate(approveUpdate, { args: [operator] });
        await rejectHandle.executeUpdate(rejectUpdate, { args: [operator] });

        assert.equal(((await approveHandle.result()) as PayoutState).status, 'Succeeded');
        const rejectedState = (await rejectHandle.result()) as PayoutState;
        assert.equal(rejectedState.status, 'Rejected');
        assert.equal(rejectedState.decisions.at(-1)?.operator, operator.operator);
        assert.equal((await transfersOf(stark.user, approved.invoiceId)).length, 1);
        assert.equal((await transfersOf(stark.user, rejected.invoiceId)).length, 0);
        await captureHistory(approveHandle, 'payout/approved');
        await captureHistory(rejectHandle, 'payout/rejected');
      },
      { maxAmountCents: 2_000, dailyMaxCents: 1_000_000 },
    );
  });

  it('waits for an operator when the credited event disagrees with the API, or comes from another workspace', async () => {
    // A signed event about an invoice Stark Bank credited with R$ 90,00 (fee R$ 1,00), saying something else.
    const eventSaying = (invoiceId: string, amount: number, fee: number) =>
      parseEvent(
        JSON.parse(
          JSON.stringify(
            stark.emulator.injectEvent({
              subscription: 'invoice',
              log: { id: randomUUID(), type: 'credited', invoice: { id: invoiceId, amount, fee } },
            }),
          ),
        ),
      );
    const creditedInvoice = async () => {
      const invoiceId = await createInvoice(stark.user, 9_000);
      stark.emulator.payInvoice(invoiceId, { fee: 100 });
      return invoiceId;
    };
    await withPayoutWorker(stark, async (ctx) => {
      const cases = [
        {
          event: eventSaying(await creditedInvoice(), 90_000, 100),
          reason: 'event said R$ 900,00 (fee R$ 1,00) but the API says R$ 90,00 (fee R$ 1,00)',
        },
        {
          event: eventSaying(await creditedInvoice(), 9_000, 0),
          reason: 'event said R$ 90,00 (fee R$ 0,00) but the API says R$ 90,00 (fee R$ 1,00)',
        },
      ];
      for (const { event, reason } of cases) {
        assert.equal(await ctx.dispatcher.dispatch(event), 'payout-started-or-signaled');
        assert.ok(event.kind === 'invoice');
        const handle = ctx.client.workflow.getHandle(payoutWorkflowId(event.log.invoice.id));
        const state = await sentOrAwaitingApproval(handle);
        assert.equal(state.status, 'AwaitingApproval', reason);
        assert.deepEqual(state.reasons, [reason]);
        assert.deepEqual(await transfersOf(stark.user, event.log.invoice.id), [], 'nothing sent before approval');
        await handle.terminate('test over');
      }
    });

    // The event agrees with the API, but this deployment pays out for another workspace only.
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const { invoiceId, handle } = await creditAndDispatch(ctx, 4_000);
        const state = await sentOrAwaitingApproval(handle);
        assert.equal(state.status, 'AwaitingApproval');
        assert.deepEqual(state.reasons, [
          `event came from workspace ${stark.emulator.workspaceId}, expected 1111111111111111`,
        ]);
        assert.deepEqual(await transfersOf(stark.user, invoiceId), [], 'nothing sent before approval');
        await handle.terminate('test over');
      },
      undefined,
      { workspaceId: '1111111111111111' },
    );
  });

  it('holds payouts while paused and sends them on resume, losing none', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      await setPayoutsPaused(ctx.client, ctx.taskQueue, { paused: true, operator: 'test' });
      // In effect once acknowledged: a payout reading the switch right now already sees it.
      assert.deepEqual(await createPauseSwitchReader(ctx.client, ctx.taskQueue)(), {
        paused: true,
        reason: 'an operator paused all payouts',
      });
      try {
        const { invoiceId } = await creditAndDispatch(ctx, 2_500);
        const handle = ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId));
        await waitForStatus(handle, 'Paused');
        assert.equal((await transfersOf(stark.user, invoiceId)).length, 0);
        const woken = await setPayoutsPaused(ctx.client, ctx.taskQueue, { paused: false, operator: 'test' });
        assert.ok(woken >= 0);
        const result = (await handle.result()) as PayoutState;
        assert.equal(result.status, 'Succeeded');
        assert.equal((await transfersOf(stark.user, invoiceId)).length, 1);
        await captureHistory(handle, 'payout/paused');
      } finally {
        // The switch of this test's own task queue: leave none running behind.
        const pauseSwitch = ctx.client.workflow.getHandle(pauseSwitchWorkflowId(ctx.taskQueue));
        await captureHistory(pauseSwitch, 'pause-switch/paused-and-resumed');
        await pauseSwitch.terminate('test over');
      }
    });
  });

  it('records a payout with nothing left after fees, and sends nothing', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const { invoiceId } = await creditAndDispatch(ctx, 1_000, 1_000);
      const handle = ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId));
      const result = (await handle.result()) as PayoutState;
      assert.equal(result.status, 'NothingToSend');
      assert.equal(result.netCents, 0);
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 0);
      assert.equal((await handle.query(payoutStateQuery)).status, 'NothingToSend');
      await captureHistory(handle, 'payout/nothing-to-send');
    });
  });

  it('marks the payout of an unknown invoice Invalid after the same bounded wait, and sends nothing', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const invoiceId = '4000000000000404';
      const handle = await ctx.client.workflow.start(payout, {
        workflowId: payoutWorkflowId(invoiceId),
        taskQueue: ctx.taskQueue,
        args: [{ invoiceId, creditWait: { firstSeconds: 1, waits: 2 } }],
      });
      const result = await handle.result();
      assert.equal(result.status, 'Invalid');
      // A 404 may come from anything between us and the API: it is believed only after waiting, like a late log.
      const { events } = await handle.fetchHistory();
      assert.equal(events?.filter((e) => e.timerStartedEventAttributes).length, 2);
      assert.match(result.reasons.join(), /does not exist or was never credited/);
      assert.equal(result.netCents, undefined);
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 0);
    });
  });

  it('waits for a credited log that is not there yet, then pays once the invoice is credited', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const invoiceId = await createInvoice(stark.user, 2_468);
      const handle = await ctx.client.workflow.start(payout, {
        workflowId: payoutWorkflowId(invoiceId),
        taskQueue: ctx.taskQueue,
        args: [{ invoiceId }],
      });
      // The invoice exists but is not credited: the payout backs off on a timer (10 s) rather than giving up.
      await eventually(
        async () => {
          const { events } = await handle.fetchHistory();
          return events?.some((e) => e.timerStartedEventAttributes) || undefined;
        },
        { what: 'a back-off timer' },
      );
      assert.equal((await handle.query(payoutStateQuery)).status, 'Received');
      stark.emulator.payInvoice(invoiceId);
      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.equal(result.netCents, 2_468);
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 1);
    });
  });

  it('is woken by a transfer event that arrives before createTransfer has returned', async () => {
    const env = await getTestEnv();
    const taskQueue = uniqueId('tq');
    await provisionDeployment(env.client, { taskQueue, retentionDays: 7 });
    const real = createActivities(testActivityDeps(env.client, stark.user, taskQueue));
    // The webhook can beat the activity's own result: the emulator settles the transfer and its event is signalled
    // while the activity is still returning: the payout must still be woken by it.
    const activities = {
      ...real,
      async createTransfer(input: SendRequest) {
        const result = await real.createTransfer(input);
        if (result.outcome !== 'sent') throw new Error(`nothing sent: ${result.outcome}`);
        const created = result.transfer;
        await eventually(() =>
          Promise.resolve(
            stark.emulator.snapshot().transfers.find((t) => t.id === created.id)?.status === 'success' || undefined,
          ),
        );
        const workflowId = Context.current().info.workflowExecution!.workflowId;
        await env.client.workflow
          .getHandle(workflowId)
          .signal(transferUpdatedSignal, { eventId: `early-${created.id}`, transferId: created.id, status: 'success' });
        return result;
      },
    };
    await withWorker({ workflowsPath, activities, taskQueue }, async (ctx) => {
      const invoiceId = await createInvoice(stark.user, 4_321);
      stark.emulator.payInvoice(invoiceId);
      // Polling an hour apart: only the early event can finish this payout within the test's timeout.
      const handle = await ctx.client.workflow.start(payout, {
        workflowId: payoutWorkflowId(invoiceId),
        taskQueue,
        args: [{ invoiceId, poll: { firstSeconds: 3_600, maxSeconds: 3_600 } }],
      });
      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.equal(result.attempts[0]?.status, 'success');
      await captureHistory(handle, 'payout/early-event');
    });
  });
});
