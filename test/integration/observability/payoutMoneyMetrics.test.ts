import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createActivities } from '../../../src/activities';
import { transferExternalId } from '../../../src/domain/payoutIds';
import { registerPayoutGauges } from '../../../src/gauges/payoutGauges';
import { startAdminServer, type RunningAdminServer } from '../../../src/observability/adminServer';
import { registry as processRegistry } from '../../../src/observability/metrics';
import { useTestEmulator } from '../../helpers/emulator';
import { creditAndDispatch, testActivityDeps, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { eventually } from '../../helpers/temporal';

const DAILY_MAX_CENTS = 10_000;
const guardrails = { maxAmountCents: 2_000, dailyMaxCents: DAILY_MAX_CENTS };

/**
 * The figures an operator asks for in an incident, read from /metrics over HTTP as Prometheus scrapes them: today's
 * total against the daily maximum, the amount waiting for approval, failed transfers and the pause switch.
 */
describe('payout money metrics on /metrics (real HTTP, real dev server, emulator)', function () {
  this.timeout(120_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('serves sent today against the daily maximum, the amount awaiting approval and failed transfers once each', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const gauges = new Registry();
        registerPayoutGauges(ctx.client, ctx.taskQueue, {
          registry: gauges,
          maxAgeMs: 0,
          budget: { dailyMaxCents: DAILY_MAX_CENTS, timeZone: 'America/Sao_Paulo' },
        });
        // One /metrics, as a process serving the gauges shows them: its own counters and the deployment's gauges.
        const admin: RunningAdminServer = await startAdminServer({
          host: '127.0.0.1',
          port: 0,
          registry: Registry.merge([processRegistry, gauges]),
        });
        const scrape = async () => {
          const res = await fetch(`${admin.url}/metrics`);
          assert.equal(res.status, 200);
          return res.text();
        };
        const value = async (name: string) => {
          const line = (await scrape()).split('\n').find((l) => l.startsWith(`${name} `));
          assert.ok(line, `no ${name} on /metrics`);
          return Number(line.split(' ')[1]);
        };
        const until = (name: string, expected: number) =>
          eventually(async () => ((await value(name)) === expected ? true : undefined), {
            timeoutMs: 20_000,
            what: `${name} ${expected}`,
          });
        try {
          assert.equal(await value('payouts_daily_max_cents'), DAILY_MAX_CENTS);
          assert.equal(await value('payouts_sent_today_cents'), 0, 'nothing sent yet today');
          assert.equal(await value('payouts_paused'), 0);
          const failedBefore = await value('payout_transfers_failed_total');

          const sent = await creditAndDispatch(stark, ctx, 1_500);
          assert.equal((await sent.handle.result()).status, 'Succeeded');
          assert.equal(await value('payouts_sent_today_cents'), 1_500);

          const held = await creditAndDispatch(stark, ctx, 3_000);
          await waitForStatus(held.handle, 'AwaitingApproval');
          await until('payout_approval_pending_cents', 3_000);

          stark.emulator.setBehaviour({ transferFailShare: 1 });
          const failed = await creditAndDispatch(stark, ctx, 1_200);
          await waitForStatus(failed.handle, 'TransferFailed');
          assert.equal(await value('payout_transfers_failed_total'), failedBefore + 1);
          // A failed transfer gives its share of the day back.
          assert.equal(await value('payouts_sent_today_cents'), 1_500);

          // Looking the failed transfer up again (a re-run lookup, a settle) does not count it again.
          const reads = createActivities(testActivityDeps(ctx.client, stark.user, ctx.taskQueue, { guardrails }));
          const again = await reads.lookUpTransfer({
            invoiceId: failed.invoiceId,
            externalId: transferExternalId(failed.invoiceId, 1),
          });
          assert.equal(again.transfer?.status, 'failed');
          assert.equal(await value('payout_transfers_failed_total'), failedBefore + 1);
        } finally {
          stark.emulator.setBehaviour({ transferFailShare: 0 });
          await admin.close();
        }
      },
      guardrails,
    );
  });
});
