import assert from 'node:assert/strict';
import type { ReconciliationReport } from '../../../src/workflows/activityTypes';
import { payoutWorkflowId } from '../../../src/domain/payoutIds';
import type { PayoutState } from '../../../src/workflows/payoutDefinitions';
import { createInvoice, withPayoutWorker } from '../../helpers/payouts';
import { useTestEmulator } from '../../helpers/emulator';
import { runCliOk, temporalEnv } from './run';

describe('ops CLI: recovery (real process, real Temporal, emulator)', function () {
  this.timeout(120_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('reconcile starts the payout of a credited invoice nobody told us about, and prints the report', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const invoiceId = await createInvoice(stark.user, 4_200);
      stark.emulator.payInvoice(invoiceId); // no webhook registered: its events are lost
      const env = await temporalEnv(taskQueue);

      const report = JSON.parse(
        await runCliOk(['recovery', 'reconcile', '--lookback-days', '1', '--json'], env),
      ) as ReconciliationReport;
      assert.deepEqual(report.unpaid, [{ invoiceId, netCents: 4_200, action: 'payout-started' }]);
      const state = (await client.workflow.getHandle(payoutWorkflowId(invoiceId)).result()) as PayoutState;
      assert.equal(state.status, 'Succeeded');

      const table = await runCliOk(['recovery', 'reconcile', '--lookback-days', '1'], env);
      assert.match(table, /verdict:\s+clean/);
      assert.match(table, /every credited invoice has its transfer/);

      const sweep = await runCliOk(['recovery', 'sweep'], env);
      assert.match(sweep, /undelivered events:\s+\d+/);
    });
  });
});
