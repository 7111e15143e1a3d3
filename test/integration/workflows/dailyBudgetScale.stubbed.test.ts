import assert from 'node:assert/strict';
import { createBudgetClient } from '../../../src/activities/budget';
import {
  budgetQuery,
  DAILY_BUDGET_WORKFLOW_TYPE,
  dailyBudgetWorkflowId,
  type DailyBudgetWorkflow,
  type FinalTransfers,
} from '../../../src/workflows/dailyBudgetDefinitions';
import { mapPool } from '../../../testkit/badRequests';
import { payloadsOf } from '../../helpers/histories';
import { withWorker } from '../../helpers/temporal';

const DAY = '2026-03-02';
const GRANTS = 100_000;
const IN_FLIGHT = 100;

/**
 * A day's budget at scale, on the real dev server with Stark Bank stubbed: what it carries across continue-as-new
 * stays the same size whatever the number of payouts, so a busy day can never outgrow Temporal's payload limit.
 */
describe('daily budget at scale (real dev server, stubbed Stark Bank)', function () {
  this.timeout(300_000);

  it('grants 100,000 transfers in one day with every payload under 256 KB, carrying only what is in flight', async () => {
    const granted: string[] = [];
    const activities = {
      sumPayoutTransfersOfDay: () => Promise.resolve(0),
      // By each continue-as-new, every transfer granted but the last 100 has gone through.
      finalTransfersOfDay: ({ externalIds }: { externalIds: string[] }): Promise<FinalTransfers> => {
        const inFlight = new Set(granted.slice(-IN_FLIGHT));
        return Promise.resolve({ succeeded: externalIds.filter((id) => !inFlight.has(id)), failed: [] });
      },
    };
    await withWorker(
      { workflowsPath: require.resolve('../../../src/workflows'), activities },
      async ({ client, taskQueue }) => {
        const workflowId = dailyBudgetWorkflowId(taskQueue, DAY);
        await client.workflow.start<DailyBudgetWorkflow>(DAILY_BUDGET_WORKFLOW_TYPE, {
          workflowId,
          taskQueue,
          // Continue as new far more often than the server would suggest, so the run chain is long.
          args: [{ day: DAY, closesAt: '2099-01-01T00:00:00Z', historyLimit: 400 }],
        });
        const budget = createBudgetClient({
          client,
          taskQueue,
          dailyMaxCents: GRANTS * 100,
          timeZone: 'America/Sao_Paulo',
        });
        const ids = Array.from({ length: GRANTS }, (_, i) => `payout-${i}`);
        let retries = 0;
        await mapPool(ids, 2_000, async (externalId) => {
          for (;;) {
            // As the gate's activity would, a reservation that fails (its Update met a continue-as-new) is asked again.
            const answer = await budget
              .reserve(DAY, { externalId, amount: 100, approvedOverDailyMax: false })
              .catch(() => undefined);
            if (answer) {
              assert.equal(answer.granted, true);
              granted.push(externalId);
              return;
            }
            retries++;
          }
        });

        const state = await client.workflow.getHandle(workflowId).query(budgetQuery);
        assert.equal(state.reservedCents, GRANTS * 100, 'every grant counts, settled or open');
        const runs: string[] = [];
        for await (const run of client.workflow.list({ query: `WorkflowId="${workflowId}"` })) runs.push(run.runId);
        assert.ok(runs.length >= 5, `only ${runs.length} runs`);
        let largest = 0;
        let largestCarried = 0;
        for (const runId of runs) {
          const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
          for (const { payload } of payloadsOf(history)) largest = Math.max(largest, payload.data?.length ?? 0);
          const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
          largestCarried = Math.max(largestCarried, started?.data?.length ?? 0);
        }
        assert.ok(largest < 256 * 1024, `the largest payload is ${largest} bytes`);
        // What a run starts with is the last 100 grants in flight, whatever the day's count: a few kilobytes.
        assert.ok(largestCarried < 16 * 1024, `a run started with ${largestCarried} bytes`);
        assert.equal(retries, 0, 'no reservation failed');
        process.stderr.write(
          `      [budget] ${runs.length} runs, largest payload ${largest} B, largest carried ${largestCarried} B\n`,
        );
      },
    );
  });
});
