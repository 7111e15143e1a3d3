import assert from 'node:assert/strict';
import path from 'node:path';
import { useTestEmulator } from '../../helpers/emulator';
import { creditAndDispatch, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { runCli, temporalEnv } from './run';

const INCOMPATIBLE = path.resolve(__dirname, '../../fixtures/incompatible/workflows.ts');

describe('ops CLI: replay before a deploy (real process, real Temporal, emulator)', function () {
  this.timeout(180_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it("passes the deployment's running and closed payouts on this code, and fails an incompatible change", async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const sent = await creditAndDispatch(stark, ctx, 1_000);
        const held = await creditAndDispatch(stark, ctx, 9_000);
        await sent.handle.result();
        await waitForStatus(held.handle, 'AwaitingApproval');
        const env = await temporalEnv(ctx.taskQueue);

        const ok = await runCli(['replay', '--json'], env);
        assert.equal(ok.code, 0, ok.stderr);
        const report = JSON.parse(ok.stdout) as { replayed: number; running: number; incompatible: unknown[] };
        // At least both payouts, the pause switch and the day's budget.
        assert.ok(report.replayed >= 4, `replayed ${report.replayed}`);
        assert.ok(report.running >= 3, `running ${report.running}`);
        assert.deepEqual(report.incompatible, []);

        const broken = await runCli(['replay', '--workflows', INCOMPATIBLE], env);
        assert.equal(broken.code, 1, broken.stdout);
        assert.match(broken.stdout, /^Verdict:\s+\d+ INCOMPATIBLE$/m);
        for (const { invoiceId } of [sent, held]) {
          assert.match(broken.stdout, new RegExp(`^payout-${invoiceId}\\s+payout\\s+.*[Nn]ondeterminism`, 'm'));
        }
        assert.match(
          broken.stderr,
          /do not replay with the workflows in .*incompatible.*: deploying it would break them/,
        );
      },
      { maxAmountCents: 5_000, dailyMaxCents: 1_000_000 },
    );
  });
});
