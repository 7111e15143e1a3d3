import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createBudgetActivities } from '../../../src/activities/budget';
import { createStarkUser } from '../../../src/starkbank/user';
import { dailyBudgetWorkflowId } from '../../../src/workflows/dailyBudgetDefinitions';
import { generateProjectKeys } from '../../../testkit/emulator';
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
        const budget = createBudgetActivities({
          user: createStarkUser({
            environment: 'sandbox',
            projectId: '1',
            privateKey: generateProjectKeys().privateKeyPem,
            httpTimeoutMs: 1_000,
            lateCommitMs: 0,
          }),
          client,
          taskQueue,
          dailyMaxCents: 10_000,
          timeZone: 'America/Sao_Paulo',
          now: () => new Date('2026-03-02T15:00:00Z'),
        });
        const externalId = `payout-${randomUUID()}`;
        const granted = await budget.reserveDailyBudget({ externalId, invoiceId: '1', amount: 4_000, force: false });
        assert.equal(granted.granted, true);
        await budget.releaseDailyBudget({ externalId, day: '2026-03-02' });

        // Closed: a late failure's release comes after the budget stopped granting anything.
        await client.workflow.getHandle(dailyBudgetWorkflowId(taskQueue, '2026-03-02')).terminate('the day closed');
        await budget.releaseDailyBudget({ externalId, day: '2026-03-02' });
        // Never opened (or deleted by retention).
        await budget.releaseDailyBudget({ externalId, day: '2026-01-15' });
      },
    );
  });
});
