import assert from 'node:assert/strict';
import axios from 'axios';
import { businessDay } from '../../../src/domain/businessDay';
import { setPayoutsPaused } from '../../../src/decisions/pauseSwitch';
import { dailyBudgetWorkflowId } from '../../../src/workflows/dailyBudgetDefinitions';
import { payoutStateQuery, type PayoutState } from '../../../src/workflows/payoutDefinitions';
import { useTestEmulator } from '../../helpers/emulator';
import { mapPool } from '../../../testkit/badRequests';
import { creditAndDispatch, transfersOf, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { captureHistory } from '../../helpers/histories';
import { eventually } from '../../helpers/temporal';

/**
 * The checks that hold at the moment a transfer is created, against the emulator through the real SDK: the daily
 * maximum under concurrency, the pause switch for a create that was already retrying, and answers that come late.
 */
describe('sending: checks at the moment of the transfer (real dev server, real SDK, emulator)', function () {
  this.timeout(120_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  afterEach(() => stark.emulator.setFaults({ rules: [], errorRate: 0, dropAfterCommitRate: 0, slowRate: 0 }));

  it('holds the daily maximum when 50 payouts that together cross it send at once', async () => {
    const amount = 10_000;
    const dailyMaxCents = 25 * amount;
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const credited = await mapPool(
          Array.from({ length: 50 }, () => amount),
          50,
          (cents) => creditAndDispatch(stark, ctx, cents),
        );
        const states = await Promise.all(
          credited.map(({ handle }) =>
            eventually(
              async () => {
                const state = await handle.query(payoutStateQuery);
                return ['Succeeded', 'AwaitingApproval'].includes(state.status) ? state : undefined;
              },
              { timeoutMs: 90_000, what: `${handle.workflowId} to send or wait` },
            ),
          ),
        );
        const sent = (await Promise.all(credited.map(({ invoiceId }) => transfersOf(stark.user, invoiceId)))).flat();
        const sentCents = sent.filter((t) => t.status !== 'failed').reduce((sum, t) => sum + t.amount, 0);
        assert.ok(sentCents <= dailyMaxCents, `sent ${sentCents}, above the maximum ${dailyMaxCents}`);
        assert.equal(states.filter((s) => s.status === 'Succeeded').length, 25);
        const waiting = states.filter((s: PayoutState) => s.status === 'AwaitingApproval');
        assert.equal(waiting.length, 25);
        assert.match(waiting[0]!.reasons.join(), /above the daily maximum R\$ 2\.500,00/);
        const day = businessDay(new Date(), 'America/Sao_Paulo');
        await captureHistory(
          ctx.client.workflow.getHandle(dailyBudgetWorkflowId(ctx.taskQueue, day)),
          'daily-budget/crossed',
        );
        await Promise.all(credited.map(({ handle }) => handle.terminate('test over').catch(() => undefined)));
      },
      { maxAmountCents: 1_000_000, dailyMaxCents },
    );
  });

  it('stops a transfer create that was retrying when an operator pauses, and sends it after resume', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      // Stark Bank refuses every create for now: the activity retries.
      stark.emulator.setFaults({ rules: [{ kind: 'error', method: 'POST', path: '/v2/transfer', count: 1_000 }] });
      const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 2_200);
      // Paused while a create is failing: the attempt after it must not send.
      await eventually(() => Promise.resolve((stark.emulator.getFaults().rules[0]?.count ?? 0) < 1_000 || undefined));
      await setPayoutsPaused(ctx.client, ctx.taskQueue, { paused: true, operator: 'ana', note: 'bank incident' });
      stark.emulator.setFaults({ rules: [] });
      const paused = await waitForStatus(handle, 'Paused', 30_000);
      assert.match(paused.reasons.join(), /paused/);
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 0, 'the retry did not send while paused');

      await setPayoutsPaused(ctx.client, ctx.taskQueue, { paused: false, operator: 'ana' });
      assert.equal((await handle.result()).status, 'Succeeded');
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 1);
    });
  });

  it('settles a create whose answer timed out but which committed later, without creating a second', async () => {
    const timeout = axios.defaults.timeout;
    axios.defaults.timeout = 1_000;
    try {
      await withPayoutWorker(
        stark,
        async (ctx) => {
          // The create is held past the client's timeout, then committed: the answer is lost, the transfer is not.
          stark.emulator.setFaults({
            slowDelayMs: 6_000,
            rules: [{ kind: 'slow', method: 'POST', path: '/v2/transfer' }],
          });
          const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 3_300);
          assert.equal((await handle.result()).status, 'Succeeded');
          // Long enough for the held create to have committed, whatever the retries did meanwhile.
          await eventually(() => Promise.resolve(stark.emulator.getFaults().rules.length === 0 || undefined));
          await new Promise((resolve) => setTimeout(resolve, 6_500));
          const ofInvoice = stark.emulator.snapshot().transfers.filter((t) => t.externalId === `payout-${invoiceId}`);
          assert.equal(ofInvoice.length, 1, 'one create reached Stark Bank: the retry found the late commit');
        },
        undefined,
        { lateCommitMs: 10_000 },
      );
    } finally {
      axios.defaults.timeout = timeout;
    }
  });
});
