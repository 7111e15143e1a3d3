import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createBudgetClient } from '../../../src/activities/budget';
import { dailyBudgetWorkflowId } from '../../../src/workflows/dailyBudgetDefinitions';
import { withWorker } from '../../helpers/temporal';

/** A day's budget against the real dev server; the Stark Bank baseline is stubbed (nothing sent yet that day). */
describe('daily budget release (real dev server, stubbed baseline)', function () {
  this.timeout(60_000);

  it('gives nothing back, and fails nothing, once the day it was granted on has closed or was never opened', async () => {
    await withWorker(
      {
        workflowsPath: require.resolve('../../../src/workflows'),
        activities: { sumPayoutTransfersOfDay: () => Promise.resolve(0) },
      },
      async ({ client, taskQueue }) => {
        const budget = createBudgetClient({
          client,
          taskQueue,
          dailyMaxCents: 10_000,
          timeZone: 'America/Sao_Paulo',
          now: () => new Date('2026-03-02T15:00:00Z'),
        });
        assert.equal(budget.today(), '2026-03-02');
        const externalId = `payout-${randomUUID()}`;
        const request = { externalId, amount: 4_000, approvedOverDailyMax: false };
        assert.equal((await budget.reserve('2026-03-02', request)).granted, true);
        await budget.release('2026-03-02', externalId);

        // Closed: a late failure's release comes after the budget stopped granting anything.
        await client.workflow.getHandle(dailyBudgetWorkflowId(taskQueue, '2026-03-02')).terminate('the day closed');
        await budget.release('2026-03-02', externalId);
        // Never opened (or deleted by retention).
        await budget.release('2026-01-15', externalId);
      },
    );
  });
});
