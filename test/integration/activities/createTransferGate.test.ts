import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type Activities } from '../../../src/activities';
import { decide } from '../../../src/decisions/operatorDecisions';
import { setPayoutsPaused } from '../../../src/decisions/pauseSwitch';
import { recordDecision } from '../../../src/decisions/records';
import { transferExternalId } from '../../../src/domain/payoutIds';
import type { SendOutcome, SendRequest } from '../../../src/domain/sendGate';
import { budgetQuery, dailyBudgetWorkflowId } from '../../../src/workflows/dailyBudgetDefinitions';
import { useTestEmulator } from '../../helpers/emulator';
import {
  createInvoice,
  creditAndDispatch,
  destination,
  generousGuardrails,
  testActivityDeps,
  transfersOf,
  waitForStatus,
  withPayoutWorker,
  type PayoutContext,
} from '../../helpers/payouts';

const operator = { operator: 'ana', note: 'checked with finance' };

/** Runs createTransfer as the worker would, inside an activity context. */
function createTransfer(activities: Activities, request: SendRequest): Promise<SendOutcome> {
  return new MockActivityEnvironment().run((r: SendRequest) => activities.createTransfer(r), request);
}

/** What a day's budget holds now; 0 when the day's budget was never opened. */
async function reservedOn(client: Client, taskQueue: string, day: string): Promise<number> {
  try {
    return (await client.workflow.getHandle(dailyBudgetWorkflowId(taskQueue, day)).query(budgetQuery)).reservedCents;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 0;
    throw err;
  }
}

/**
 * The send gate inside the real createTransfer activity: the real SDK against the emulator, the real decision
 * record, pause switch and day's budget on the dev server. Each refusal here sent money before the gate existed.
 */
describe('the send gate in createTransfer (real dev server, real SDK, emulator)', function () {
  this.timeout(60_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  afterEach(() => stark.emulator.setFaults({ rules: [], slowRate: 0 }));

  async function creditedInvoice(amount: number): Promise<string> {
    const invoiceId = await createInvoice(stark.user, amount);
    stark.emulator.payInvoice(invoiceId);
    return invoiceId;
  }

  const send = (invoiceId: string, maxAmountCents: number): SendRequest => ({
    invoiceId,
    externalId: transferExternalId(invoiceId, 1),
    maxAmountCents,
  });

  it('sends nothing for an invoice rejected after its payout checked the record (D)', async () => {
    await withPayoutWorker(stark, async (ctx: PayoutContext) => {
      const activities = createActivities(testActivityDeps(ctx.client, stark.user, ctx.taskQueue));
      const invoiceId = await creditedInvoice(4_100);
      // No payout runs: the rejection goes to the invoice's decision record, as `ops payouts reject` does.
      await decide(ctx.client, ctx.taskQueue, 'reject', invoiceId, operator);
      const outcome = await createTransfer(activities, send(invoiceId, 4_100));
      assert.equal(outcome.outcome === 'refused' && outcome.refusal.kind, 'rejected');
      assert.deepEqual(await transfersOf(stark.user, invoiceId), []);
    });
  });

  it('sends above the four-eyes threshold only with two different operators approving it on the record', async () => {
    await withPayoutWorker(stark, async (ctx: PayoutContext) => {
      const fourEyes = { ...generousGuardrails, secondApprovalCents: 4_000 };
      const guarded = createActivities(
        testActivityDeps(ctx.client, stark.user, ctx.taskQueue, { guardrails: fourEyes }),
      );
      const unguarded = createActivities(testActivityDeps(ctx.client, stark.user, ctx.taskQueue));
      const invoiceId = await creditedInvoice(4_500);
      const externalId = transferExternalId(invoiceId, 1);
      // As the payout records each approval before acting on it.
      const approveBy = (operator: string, approves = externalId) =>
        recordDecision(ctx.client, ctx.taskQueue, invoiceId, {
          id: `approve/${randomUUID()}`,
          action: 'approve',
          operator,
          at: new Date().toISOString(),
          payoutStatus: 'AwaitingApproval',
          approves,
        });
      const request: SendRequest = { ...send(invoiceId, 4_500), approval: { externalId } };
      const refusedWith = async (activities: Activities, r: SendRequest, approvedBy: string[]) => {
        const outcome = await createTransfer(activities, r);
        assert.deepEqual(outcome.outcome === 'refused' && outcome.refusal, {
          kind: 'needs-second-approval',
          amountCents: 4_500,
          thresholdCents: 4_000,
          approvedBy,
        });
      };

      await refusedWith(guarded, request, []);
      await approveBy('ana');
      await refusedWith(guarded, request, ['ana']);
      // The same person under another spelling, and another transfer's approval, are not a second pair of eyes.
      await approveBy(' ANA ');
      await approveBy('bob', transferExternalId(invoiceId, 2));
      await refusedWith(guarded, request, ['ana']);
      // Four eyes turned off on this worker: the threshold the payout was held under still applies.
      await refusedWith(unguarded, { ...request, secondApprovalCents: 4_000 }, ['ana']);
      assert.deepEqual(await transfersOf(stark.user, invoiceId), []);

      await approveBy('bob');
      const outcome = await createTransfer(guarded, request);
      assert.equal(outcome.outcome, 'sent');
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 1);
    });
  });

  it('sends nothing when payouts are paused while it reads the invoice (H)', async () => {
    await withPayoutWorker(stark, async (ctx: PayoutContext) => {
      const activities = createActivities(testActivityDeps(ctx.client, stark.user, ctx.taskQueue));
      const invoiceId = await creditedInvoice(4_200);
      stark.emulator.setFaults({ slowDelayMs: 2_000, rules: [{ kind: 'slow', method: 'GET', path: '/v2/invoice/*' }] });
      const sending = createTransfer(activities, send(invoiceId, 4_200));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await setPayoutsPaused(ctx.client, ctx.taskQueue, { paused: true, operator: 'ana', note: 'bank incident' });
      const outcome = await sending;
      assert.equal(outcome.outcome === 'refused' && outcome.refusal.kind, 'paused');
      assert.deepEqual(await transfersOf(stark.user, invoiceId), []);
    });
  });

  it('takes its grant on the day the transfer is created, when the day ends while it asks (G)', async () => {
    // 23:59:59.9 in São Paulo on the first read of the clock, the next day after it.
    const instants = [new Date('2026-03-03T02:59:59.900Z')];
    const now = () => instants.shift() ?? new Date('2026-03-03T03:00:00.100Z');
    await withPayoutWorker(stark, async (ctx: PayoutContext) => {
      const activities = createActivities(testActivityDeps(ctx.client, stark.user, ctx.taskQueue, { now }));
      const invoiceId = await creditedInvoice(4_300);
      const outcome = await createTransfer(activities, send(invoiceId, 4_300));
      assert.equal(outcome.outcome === 'sent' && outcome.day, '2026-03-03');
      assert.equal(await reservedOn(ctx.client, ctx.taskQueue, '2026-03-03'), 4_300);
      assert.equal(await reservedOn(ctx.client, ctx.taskQueue, '2026-03-02'), 0);
    });
  });

  it('gives a refused transfer its grant back, so a payout rejected afterwards holds none of the day (F)', async () => {
    // A destination Stark Bank refuses (its tax id fails the check digits): every create is answered 400.
    const refused = { ...destination, taxId: '20.018.183/0001-81' };
    await withPayoutWorker(
      stark,
      async (ctx: PayoutContext) => {
        const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 4_400);
        const waiting = await waitForStatus(handle, 'NeedsAttention', 30_000);
        assert.deepEqual(waiting.waitsFor, ['retry', 'reject']);
        await decide(ctx.client, ctx.taskQueue, 'reject', invoiceId, operator);
        assert.equal((await handle.result()).status, 'Rejected');
        const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(new Date());
        assert.equal(await reservedOn(ctx.client, ctx.taskQueue, day), 0);
        assert.deepEqual(await transfersOf(stark.user, invoiceId), []);
      },
      undefined,
      { destination: refused },
    );
  });
});
