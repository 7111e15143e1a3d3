import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import starkbank from 'starkbank';
import { WorkflowNotFoundError } from '@temporalio/client';
import { listOpenCases } from '../../../src/decisions/audit';
import { decide, DecisionRefusedError } from '../../../src/decisions/operatorDecisions';
import { readDecisionRecord } from '../../../src/decisions/records';
import { businessDay } from '../../../src/domain/businessDay';
import { hasDrift } from '../../../src/domain/reconciliation';
import { registry } from '../../../src/observability/metrics';
import { registerPayoutGauges } from '../../../src/gauges/payoutGauges';
import { Registry } from 'prom-client';
import { setPayoutsPaused } from '../../../src/decisions/pauseSwitch';
import { budgetQuery, dailyBudgetWorkflowId } from '../../../src/workflows/dailyBudgetDefinitions';
import { lookUpTransferSignal } from '../../../src/workflows/payoutDefinitions';
import { reconcilePayouts } from '../../../src/workflows/recovery';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { captureHistory } from '../../helpers/histories';
import { creditAndDispatch, transfersOf, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { eventually } from '../../helpers/temporal';

const operator = { operator: 'bia', note: 'the payer disputed it' };

/**
 * Reversals through the real SDK and the emulator: the amount a payout sends is read at the moment of sending,
 * and a reversal after the money left is a loss listed for a person, by the payout itself or by reconciliation.
 */
describe('payout reversals (real dev server, real SDK, emulator)', function () {
  this.timeout(60_000);
  let stark: TestEmulator;

  before(async () => {
    // Other money in the account, as in a real workspace: a reversal after a payout is covered by it.
    stark = await startTestEmulator({
      seed: randomUUID(),
      initialBalance: 10_000_000,
      behaviour: { timeScale: 0.01, payShare: 0 },
    });
  });
  after(() => stark?.close());
  afterEach(() => stark.emulator.setBehaviour({ transferSendDelayMs: 2_000 }));

  const reverseTo = (invoiceId: string, amount: number) =>
    starkbank.invoice.update(invoiceId, { amount, user: stark.user });

  it('sends credited − fee − reversed when the payer reversed while the payout waited to send', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      await setPayoutsPaused(ctx.client, ctx.taskQueue, { paused: true, operator: 'test' });
      const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 10_000, 50);
      const paused = await waitForStatus(handle, 'Paused');
      assert.equal(paused.sendCents, 9_950, 'what the check read');
      await reverseTo(invoiceId, 7_000);
      await reverseTo(invoiceId, 6_500);
      await setPayoutsPaused(ctx.client, ctx.taskQueue, { paused: false, operator: 'test' });

      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.deepEqual([result.netCents, result.reversedCents, result.sendCents], [9_950, 3_500, 6_450]);
      const transfers = await transfersOf(stark.user, invoiceId);
      assert.deepEqual(
        transfers.map((t) => [t.amount, t.status]),
        [[6_450, 'success']],
      );
      await captureHistory(handle, 'payout/reversed-before-send');
    });
  });

  it('sends and reserves nothing when a reversal while waiting left nothing', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 3_000, 20);
        await waitForStatus(handle, 'AwaitingApproval');
        await reverseTo(invoiceId, 0);
        await decide(ctx.client, ctx.taskQueue, 'approve', invoiceId, operator);

        const result = await handle.result();
        assert.equal(result.status, 'NothingToSend');
        assert.match(result.reasons.join(), /minus R\$ 30,00 reversed by the payer leaves nothing to send/);
        assert.deepEqual([result.reversedCents, result.sendCents], [3_000, 0]);
        assert.deepEqual(await transfersOf(stark.user, invoiceId), []);
        // The gate found nothing owed before it asked the day's budget for anything.
        const day = businessDay(new Date(), 'America/Sao_Paulo');
        const budget = await ctx.client.workflow
          .getHandle(dailyBudgetWorkflowId(ctx.taskQueue, day))
          .query(budgetQuery)
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return undefined;
            throw err;
          });
        assert.equal(budget?.reservedCents ?? 0, 0);
      },
      { maxAmountCents: 1_000, dailyMaxCents: 1_000_000 },
    );
  });

  it('lists a reversal while the transfer was in flight as a loss for a person, with its metric', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      stark.emulator.setBehaviour({ transferSendDelayMs: 3_600_000 }); // the transfer stays `created`
      const before = await lossCounters();
      const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 8_000);
      const [transfer] = await eventually(async () => {
        const found = await transfersOf(stark.user, invoiceId);
        return found.length > 0 ? found : undefined;
      });
      await reverseTo(invoiceId, 5_000);
      stark.emulator.settleTransfer(transfer!.id, 'success');
      await handle.signal(lookUpTransferSignal);

      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.deepEqual([result.sendCents, result.reversedCents, result.reversalLossCents], [8_000, undefined, 3_000]);
      assert.match(result.reasons.join(), /R\$ 30,00 of transfer \d+ was reversed by the payer after it was made/);
      const record = await readDecisionRecord(ctx.client, invoiceId);
      assert.deepEqual(
        record?.openCases.map((c) => [c.kind, c.lossCents]),
        [['reversal-loss', 3_000]],
      );
      const cases = await eventually(async () => {
        const open = (await listOpenCases(ctx.client, ctx.taskQueue)).filter((c) => c.invoiceId === invoiceId);
        return open.length > 0 ? open : undefined;
      });
      assert.match(cases[0]!.reason, /sent R\$ 80,00; after reversals R\$ 50,00 is owed: R\$ 30,00 left/);
      assert.deepEqual(await lossCounters(), { count: before.count + 1, cents: before.cents + 3_000 });
      await captureHistory(handle, 'payout/reversed-after-send');
    });
  });

  it('reconciles credited − reversed: a reversal after the payout closed is its own line and case, not drift', async () => {
    // Reconciliation reads the whole account: the earlier tests' invoices have records on other task queues.
    stark.emulator.reset();
    await withPayoutWorker(stark, async (ctx) => {
      const reconcile = () =>
        ctx.client.workflow.execute(reconcilePayouts, {
          taskQueue: ctx.taskQueue,
          workflowId: `reconcile-${randomUUID()}`,
          args: [{ lookbackDays: 1 }],
        });
      const lineOf = (report: Awaited<ReturnType<typeof reconcile>>, invoiceId: string) =>
        report.reversalLosses.filter((r) => r.invoiceId === invoiceId);

      const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 6_000, 10);
      assert.equal((await handle.result()).status, 'Succeeded');
      await reverseTo(invoiceId, 2_000);
      const before = await lossCounters();

      const first = await reconcile();
      const [line] = lineOf(first, invoiceId);
      assert.deepEqual(line, {
        invoiceId,
        transferId: (await transfersOf(stark.user, invoiceId))[0]!.id,
        sentCents: 5_990,
        owedCents: 1_990,
        reversedCents: 4_000,
        lossCents: 4_000,
        action: 'case-opened',
      });
      assert.equal(hasDrift(first), false, 'a reversal loss is not drift');
      assert.equal(first.sentCents, first.creditedNetCents - first.reversedBeforePayoutCents);
      assert.deepEqual(await lossCounters(), { count: before.count + 1, cents: before.cents + 4_000 });
      const gauges = new Registry();
      registerPayoutGauges(ctx.client, ctx.taskQueue, { registry: gauges, maxAgeMs: 0 });
      await eventually(
        async () => (/^reconciliation_reversal_losses [1-9]/m.test(await gauges.metrics()) ? true : undefined),
        { what: 'the gauges to show the loss line' },
      );

      assert.equal(lineOf(await reconcile(), invoiceId)[0]?.action, 'case-open', 'found open, not opened again');
      await decide(ctx.client, ctx.taskQueue, 'acknowledge', invoiceId, operator);
      assert.deepEqual((await readDecisionRecord(ctx.client, invoiceId))?.openCases, []);
      await assert.rejects(decide(ctx.client, ctx.taskQueue, 'acknowledge', invoiceId, operator), DecisionRefusedError);
      assert.equal(
        lineOf(await reconcile(), invoiceId)[0]?.action,
        'acknowledged',
        'an acknowledged loss stays closed',
      );
      assert.deepEqual(await lossCounters(), { count: before.count + 1, cents: before.cents + 4_000 });

      // The payer takes the rest too: a larger loss opens the case again.
      await reverseTo(invoiceId, 0);
      const [larger] = lineOf(await reconcile(), invoiceId);
      assert.deepEqual([larger?.lossCents, larger?.action], [5_990, 'case-opened']);
      const record = await readDecisionRecord(ctx.client, invoiceId);
      assert.deepEqual(
        record?.entries.map((e) => [e.action, e.payoutStatus]),
        [['acknowledge', 'Closed (Succeeded)']],
      );
      assert.equal(record?.acknowledgedLossCents, 4_000);
    });
  });
});

async function lossCounters(): Promise<{ count: number; cents: number }> {
  const read = async (name: string) => Number(/ (\d+)$/m.exec(await registry.getSingleMetricAsString(name))?.[1] ?? 0);
  return { count: await read('payout_reversal_losses_total'), cents: await read('payout_reversal_loss_cents_total') };
}
