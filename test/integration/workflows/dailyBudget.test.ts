import assert from 'node:assert/strict';
import { useTestEmulator } from '../../helpers/emulator';
import { creditAndDispatch, sentOrAwaitingApproval, transfersOf, withPayoutWorker } from '../../helpers/payouts';

const limits = { maxAmountCents: 1_000_000, dailyMaxCents: 50_000 };

/**
 * The day's budget starts from what Stark Bank already lists for the day, not from zero: a fresh emulator, so the
 * day's payout transfers are exactly the ones this test makes.
 */
describe('daily budget: the day starts from what Stark Bank lists (real dev server, real SDK, emulator)', function () {
  this.timeout(90_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('holds a payout for approval when transfers another deployment made today bring it near the maximum', async () => {
    // Another deployment (its own task queue, so its own budget) sends R$ 300,00 today.
    const earlier = await withPayoutWorker(
      stark,
      async (ctx) => {
        const { handle } = await creditAndDispatch(stark, ctx, 30_000);
        return handle.result();
      },
      limits,
    );
    assert.equal(earlier.status, 'Succeeded');

    await withPayoutWorker(
      stark,
      async (ctx) => {
        // 300 + 250 > 500: the budget this deployment starts today must count the 300 already sent.
        const over = await creditAndDispatch(stark, ctx, 25_000);
        const waiting = await sentOrAwaitingApproval(over.handle);
        assert.equal(
          waiting.status,
          'AwaitingApproval',
          'R$ 250,00 on top of the R$ 300,00 sent today crosses R$ 500,00',
        );
        assert.deepEqual(waiting.reasons, ["today's total would be R$ 550,00, above the daily maximum R$ 500,00"]);
        assert.deepEqual(await transfersOf(stark.user, over.invoiceId), [], 'nothing sent before approval');

        // 300 + 150 fits: the baseline is what was sent, no more.
        const fits = await creditAndDispatch(stark, ctx, 15_000);
        assert.equal((await sentOrAwaitingApproval(fits.handle)).status, 'Succeeded');
        assert.equal((await transfersOf(stark.user, fits.invoiceId)).length, 1);

        await over.handle.terminate('test over');
      },
      limits,
    );
  });
});
