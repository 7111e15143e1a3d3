import { serviceEnv } from '../../testkit/serviceEnv';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import type { ReconciliationReport } from '../../src/workflows/activityTypes';
import { payoutWorkflowId, invoiceIdOfTransfer } from '../../src/domain/payoutIds';
import { hasDrift } from '../../src/domain/reconciliation';
import { setPayoutsPaused } from '../../src/decisions/pauseSwitch';
import { collect } from '../../src/starkbank/list';
import { transferSchema } from '../../src/starkbank/schemas';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import type { PayoutWorkflow } from '../../src/workflows/payoutDefinitions';
import { useTestEmulator } from '../helpers/emulator';
import { adminUrlOf, startService, type ChildService } from '../../testkit/processes';
import { destination, waitForStatus } from '../helpers/payouts';
import { eventually, getTestEnv, uniqueId } from '../helpers/temporal';
import { runCliOk, temporalEnv } from './ops/run';

const FEE = 37;
const INITIAL_BALANCE = 10_000_000;

/**
 * The reversal policy end to end: emulator -> signed webhooks -> webhook process -> payouts on the worker process
 * -> transfers, with the payers reversing before and after the transfers, and invoices that are never paid. The
 * money is audited at the end: every transfer sent credited − fee − what was reversed before it, nothing went out
 * for an unpaid invoice, and reconciliation lists each reversal loss as a loss of its own, not as drift.
 */
describe('end to end: reversed, expired and canceled invoices', function () {
  this.timeout(180_000);
  const stark = useTestEmulator({
    // Other money in the account, as in a real workspace: it covers what the payers take back after a payout.
    initialBalance: INITIAL_BALANCE,
    // Bank time 20x faster: transfers settle in ~0.6 s, a due date 20 bank seconds away is 1 s away.
    behaviour: { timeScale: 0.05, payShare: 0 },
  });

  it('sends credited − fee − reversed-before-send, nothing for unpaid invoices, and lists later reversals', async () => {
    const env = await getTestEnv();
    const client = env.client;
    const taskQueue = uniqueId('e2e-reversals');
    const processEnv = serviceEnv(stark, { address: env.address, taskQueue });
    await provisionDeployment(client, { taskQueue, retentionDays: 7 });
    const cli = await temporalEnv(taskQueue);
    const user = stark.user;
    const reverseTo = (id: string, amount: number) => starkbank.invoice.update(id, { amount, user });
    const payout = (id: string) => client.workflow.getHandle<PayoutWorkflow>(payoutWorkflowId(id));
    const metric = (text: string, series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);

    let webhook: ChildService | undefined;
    let worker: ChildService | undefined;
    try {
      [worker, webhook] = await Promise.all([
        // The one process of this deployment that serves the payout and reconciliation gauges.
        startService(
          'src/worker.ts',
          { ...processEnv, PAYOUT_GAUGES: 'true' },
          (l) => l.msg === 'worker started',
          60_000,
        ),
        startService('src/webhook.ts', processEnv, (line) => line.msg === 'webhook listening'),
      ]);
      const url = String(webhook.logs.find((l) => l.msg === 'webhook listening')?.url);
      await starkbank.webhook.create({ url, subscriptions: ['invoice', 'transfer'], user });

      const soon = new Date(Date.now() + 20_000).toISOString(); // 1 s away in bank time
      const drafts = [
        { amount: 10_000 }, // all: reversed in full before its transfer
        { amount: 8_000 }, // partly: 3 000 reversed before its transfer, 500 after
        { amount: 6_000 }, // after: reversed in full once paid out
        { amount: 3_000 }, // plain: never reversed
        { amount: 5_000, due: soon, expiration: 20 }, // expired: never paid
        { amount: 4_000 }, // canceled: never paid
      ];
      const issued = await starkbank.invoice.create(
        drafts.map((d, i) => new starkbank.Invoice({ ...d, name: `Payer ${i}`, taxId: cpf.generate() })),
        { user },
      );
      const [all, partly, after, plain, expired, canceled] = issued.map((i) => i.id) as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      await starkbank.invoice.update(canceled, { status: 'canceled', user });
      /** What the test reversed of each invoice before its payout sent anything. */
      const reversedBeforeSend = new Map<string, number>();

      // Reversals before the transfer: the payouts are held by the pause switch while the payers take money back.
      await setPayoutsPaused(client, taskQueue, { paused: true, operator: 'e2e' });
      for (const id of [all, partly]) stark.emulator.payInvoice(id, { fee: FEE });
      for (const [id, amount] of [
        [all, 10_000],
        [partly, 8_000],
      ] as const) {
        assert.equal((await waitForStatus(payout(id), 'Paused')).sendCents, amount - FEE, 'what the check read');
      }
      await reverseTo(all, 0);
      reversedBeforeSend.set(all, 10_000);
      await reverseTo(partly, 6_000);
      await reverseTo(partly, 5_000);
      reversedBeforeSend.set(partly, 3_000);
      await setPayoutsPaused(client, taskQueue, { paused: false, operator: 'e2e' });
      const allState = await payout(all).result();
      assert.equal(allState.status, 'NothingToSend');
      assert.match(allState.reasons.join(), /reversed by the payer leaves nothing to send/);
      const partlyState = await payout(partly).result();
      assert.equal(partlyState.status, 'Succeeded');
      assert.deepEqual([partlyState.reversedCents, partlyState.sendCents], [3_000, 8_000 - FEE - 3_000]);

      // Reversals after the transfer: the money left; the product lists the loss, it cannot pull it back.
      for (const id of [after, plain]) stark.emulator.payInvoice(id, { fee: FEE });
      // Started by the webhook when the credited event arrives: waited for, then for its end.
      for (const id of [after, plain]) await waitForStatus(payout(id), 'Succeeded');
      await reverseTo(after, 0);
      await reverseTo(partly, 4_500);

      // Invoices that end unpaid: their events reach the webhook and start nothing.
      await eventually(async () => (await starkbank.invoice.get(expired, { user })).status === 'expired' || undefined, {
        timeoutMs: 20_000,
        what: 'the unpaid invoice to expire',
      });
      const webhookMetrics = await eventually(async () => {
        const text = await (await fetch(`${adminUrlOf(webhook!)}/metrics`)).text();
        const seen = ['overdue', 'expired', 'canceled'].map((type) =>
          metric(text, `webhook_events_total{subscription="invoice",type="${type}"}`),
        );
        const reversed = metric(text, 'webhook_events_total{subscription="invoice",type="reversed"}');
        return seen.every((n) => n === 1) && reversed === 5 ? text : undefined;
      });
      assert.match(webhookMetrics, /webhook_requests_total\{outcome="ignored"\} [1-9]/);
      for (const id of [expired, canceled]) {
        await assert.rejects(payout(id).describe(), WorkflowNotFoundError, `no payout for ${id}`);
      }

      // The money audit, read back through the SDK like an auditor would.
      const credited = new Map([all, partly, after, plain].map((id, i) => [id, [10_000, 8_000, 6_000, 3_000][i]!]));
      const transfers = await collect(starkbank.transfer.query({ user }), transferSchema);
      const byInvoice = new Map<string, typeof transfers>();
      for (const t of transfers) {
        const id = String(invoiceIdOfTransfer(t));
        byInvoice.set(id, [...(byInvoice.get(id) ?? []), t]);
      }
      assert.deepEqual([...byInvoice.keys()].sort(), [partly, after, plain].sort(), 'no transfer for anything else');
      for (const [id, amount] of credited) {
        const owedAtSend = amount - FEE - (reversedBeforeSend.get(id) ?? 0);
        const mine = byInvoice.get(id) ?? [];
        if (owedAtSend <= 0) {
          assert.deepEqual(mine, [], `invoice ${id} had nothing left to send`);
          continue;
        }
        assert.equal(mine.length, 1, `one transfer for invoice ${id}`);
        assert.deepEqual(
          [mine[0]!.amount, mine[0]!.status, mine[0]!.accountNumber, mine[0]!.bankCode],
          [owedAtSend, 'success', destination.accountNumber, destination.bankCode],
          `transfer of invoice ${id}`,
        );
      }
      const reversedInAll = 10_000 + (8_000 - 4_500) + 6_000;
      const sent = transfers.reduce((sum, t) => sum + t.amount, 0);
      const creditedNet = [...credited.values()].reduce((sum, amount) => sum + amount - FEE, 0);
      assert.equal(
        (await starkbank.balance.get({ user })).amount,
        INITIAL_BALANCE + creditedNet - reversedInAll - sent,
      );

      // Reconciliation: credited − reversed is what the books expect; the reversals after payout are lines of their own.
      const report = JSON.parse(
        await runCliOk(['recovery', 'reconcile', '--lookback-days', '1', '--json'], cli),
      ) as ReconciliationReport;
      assert.deepEqual([report.credited, report.reversed, report.transfers], [4, 3, 3]);
      assert.deepEqual(report.unpaid, []);
      assert.deepEqual([report.amountMismatches, report.duplicates, report.sentWithoutCredit], [[], [], []]);
      assert.equal(report.creditedNetCents, creditedNet);
      assert.equal(report.reversedBeforePayoutCents, 10_000 - FEE + 3_000);
      assert.equal(report.sentCents, sent);
      assert.equal(report.sentCents, report.creditedNetCents - report.reversedBeforePayoutCents);
      const partlyLoss = { sentCents: 4_963, owedCents: 8_000 - FEE - 3_500, lossCents: 500 };
      const afterLoss = { sentCents: 6_000 - FEE, owedCents: 0, lossCents: 6_000 - FEE };
      assert.deepEqual(
        report.reversalLosses
          .map(({ invoiceId, sentCents, owedCents, lossCents, action }) => ({
            invoiceId,
            sentCents,
            owedCents,
            lossCents,
            action,
          }))
          .sort((a, b) => a.lossCents - b.lossCents),
        [
          { invoiceId: partly, ...partlyLoss, action: 'case-opened' },
          { invoiceId: after, ...afterLoss, action: 'case-opened' },
        ],
      );
      assert.equal(report.reversalLossCents, 500 + 6_000 - FEE);
      assert.equal(hasDrift(report), false);
      const table = await runCliOk(['recovery', 'reconcile', '--lookback-days', '1'], cli);
      assert.match(table, /verdict:\s+clean/);
      assert.match(table, /reversal loss:\s+2 \(R\$ 64,63 lost\)/);

      // The reconciliation gauges come from the last run visibility lists: a moment after it closes.
      const adminUrl = adminUrlOf(worker);
      const workerMetrics = await eventually(
        async () => {
          const text = await (await fetch(`${adminUrl}/metrics`)).text();
          return /^reconciliation_reversal_losses /m.test(text) ? text : undefined;
        },
        { timeoutMs: 30_000, what: 'the reconciliation gauges' },
      );
      assert.equal(metric(workerMetrics, 'payout_reversal_losses_total'), 2);
      assert.equal(metric(workerMetrics, 'payout_reversal_loss_cents_total'), 500 + 6_000 - FEE);
      assert.equal(metric(workerMetrics, 'reconciliation_reversal_losses'), 2);
      assert.equal(metric(workerMetrics, 'reconciliation_drift{kind="amount_mismatch"}'), 0);

      // Each loss waits for a person until acknowledged; an acknowledged one is not listed again.
      const attention = async () =>
        (
          JSON.parse(await runCliOk(['payouts', 'attention', '--json'], cli)) as {
            invoiceId: string;
            waiting: string;
          }[]
        )
          .map((r) => [r.invoiceId, r.waiting])
          .sort();
      assert.deepEqual(
        await attention(),
        [
          [after, 'case: reversal-loss'],
          [partly, 'case: reversal-loss'],
        ].sort(),
      );
      const ack = await runCliOk(
        ['payouts', 'acknowledge', after, '--operator', 'carla', '--note', 'written off'],
        cli,
      );
      assert.match(ack, /acknowledge: recorded for invoice \d+; its reversal case is closed/);
      assert.deepEqual(await attention(), [[partly, 'case: reversal-loss']]);
      const again = JSON.parse(
        await runCliOk(['recovery', 'reconcile', '--lookback-days', '1', '--json'], cli),
      ) as ReconciliationReport;
      assert.deepEqual(
        again.reversalLosses.map((r) => [r.invoiceId, r.action]).sort(),
        [
          [after, 'acknowledged'],
          [partly, 'case-open'],
        ].sort(),
      );
      console.log(
        `      reversals e2e: ${issued.length} invoices, ${credited.size} credited, ${transfers.length} transfers, ` +
          `reversed ${reversedInAll} (${report.reversedBeforePayoutCents} before payout, ` +
          `${report.reversalLossCents} after), sent ${sent}`,
      );
    } finally {
      await Promise.all([webhook?.stop(), worker?.stop()]);
    }
  });
});
