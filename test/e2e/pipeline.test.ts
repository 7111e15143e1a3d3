import { serviceEnv } from '../../testkit/serviceEnv';
import assert from 'node:assert/strict';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import { netCreditedAmount } from '../../src/domain/money';
import { invoiceIdOfTransfer, payoutWorkflowId } from '../../src/domain/payoutIds';
import type { PayoutState } from '../../src/workflows/payoutDefinitions';
import { collect } from '../../src/starkbank/list';
import { invoiceLogSchema, transferSchema } from '../../src/starkbank/schemas';
import { destination } from '../helpers/payouts';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import { adminUrlOf, startService, type ChildService } from '../../testkit/processes';
import { useTestEmulator } from '../helpers/emulator';
import { getTestEnv, uniqueId } from '../helpers/temporal';
import { freePort } from '../../testkit/devServer';

const INVOICES = 12;

describe('end to end: emulator -> signed webhooks -> webhook process -> payouts -> transfers', function () {
  this.timeout(120_000);
  const stark = useTestEmulator({
    // Bank time runs 20x faster: invoices are paid 0.05-0.5 s after issue, transfers settle in ~0.5 s.
    behaviour: { timeScale: 0.05, payShare: 0.75, payDelayMinMs: 1_000, payDelayMaxMs: 10_000, invoiceFee: 37 },
    faults: { duplicateDeliveryRate: 0.3, outOfOrderDelivery: true, outOfOrderMaxDelayMs: 300 },
  });

  it('pays out every credited invoice exactly once, to the pinned account, and moves nothing else', async () => {
    const env = await getTestEnv();
    const client = env.client;
    const taskQueue = uniqueId('e2e');
    const processEnv = serviceEnv(stark, { address: env.address, taskQueue });
    const sdkMetricsPort = await freePort();
    // What setup does before a deployment's first worker starts: retention and the pause switch.
    await provisionDeployment(client, { taskQueue, retentionDays: 7 });
    {
      let webhook: ChildService | undefined;
      let worker: ChildService | undefined;
      try {
        [worker, webhook] = await Promise.all([
          startService(
            'src/worker.ts',
            { ...processEnv, SDK_METRICS_ADDRESS: `127.0.0.1:${sdkMetricsPort}` },
            (line) => line.msg === 'worker started',
            60_000,
          ),
          // The webhook is the one process that serves the payout gauges here.
          startService(
            'src/webhook.ts',
            { ...processEnv, PAYOUT_GAUGES: 'true' },
            (l) => l.msg === 'webhook listening',
          ),
        ]);
        const url = String(webhook.logs.find((l) => l.msg === 'webhook listening')?.url);
        await starkbank.webhook.create({ url, subscriptions: ['invoice', 'transfer'], user: stark.user });

        const invoices = await starkbank.invoice.create(
          Array.from(
            { length: INVOICES },
            (_, i) => new starkbank.Invoice({ amount: 1_000 + i * 111, name: `Payer ${i}`, taxId: cpf.generate() }),
          ),
          { user: stark.user },
        );

        // Every payment happens within 0.55 s of bank time (10 s max delay + 1 s credit delay, at 0.05x).
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const credited = await collect(
          starkbank.invoice.log.query({ types: ['credited'], user: stark.user }),
          invoiceLogSchema,
        );
        const issued = new Set(invoices.map((i) => i.id));
        assert.ok(credited.every((log) => issued.has(log.invoice.id)));
        assert.ok(credited.length >= 3, `expected some credited invoices, got ${credited.length}`);

        for (const log of credited) {
          const state = (await client.workflow.getHandle(payoutWorkflowId(log.invoice.id)).result()) as PayoutState;
          assert.equal(state.status, 'Succeeded', `payout of ${log.invoice.id}`);
        }

        const transfers = await collect(starkbank.transfer.query({ user: stark.user }), transferSchema);
        assert.equal(transfers.length, credited.length, 'one transfer per credited invoice, and no other transfer');
        for (const log of credited) {
          const mine = transfers.filter((t) => invoiceIdOfTransfer(t) === log.invoice.id);
          assert.equal(mine.length, 1, `transfers for invoice ${log.invoice.id}`);
          assert.equal(mine[0]!.status, 'success');
          assert.equal(mine[0]!.amount, netCreditedAmount(log.invoice));
          assert.equal(mine[0]!.accountNumber, destination.accountNumber);
          assert.equal(mine[0]!.bankCode, destination.bankCode);
        }
        const deliveries = stark.emulator.snapshot().events.filter((e) => e.isDelivered).length;
        const perInvoice = new Map<string, number>();
        for (const t of transfers)
          perInvoice.set(String(invoiceIdOfTransfer(t)), (perInvoice.get(String(invoiceIdOfTransfer(t))) ?? 0) + 1);
        const duplicates = [...perInvoice.values()].filter((n) => n > 1).length;
        assert.equal(duplicates, 0);
        console.log(
          `      e2e: ${INVOICES} invoices, ${credited.length} credited, ${transfers.length} transfers, ` +
            `${deliveries} events delivered, duplicates ${duplicates}`,
        );

        const webhookMetrics = await (await fetch(`${adminUrlOf(webhook)}/metrics`)).text();
        assert.match(webhookMetrics, /webhook_requests_total\{outcome="payout-started-or-signaled"\} [1-9]/);
        assert.match(webhookMetrics, /webhook_events_total\{subscription="invoice",type="credited"\} [1-9]/);
        assert.match(webhookMetrics, /webhook_request_duration_seconds_count [1-9]/);
        const workerMetrics = await (await fetch(`${adminUrlOf(worker)}/metrics`)).text();
        assert.match(workerMetrics, new RegExp(`payout_transfers_created_total ${credited.length}\\b`));
        assert.match(webhookMetrics, /payouts\{status="Succeeded"\} [1-9]/);
        assert.match(webhookMetrics, /payout_approvals_pending 0/);
        assert.doesNotMatch(workerMetrics, /^payouts\{/m, 'only one process counts payouts');
        // The SDK's own metrics, under the names the alert rules use (deploy/prometheus/alerts.yml).
        const sdkMetrics = await (await fetch(`http://127.0.0.1:${sdkMetricsPort}/metrics`)).text();
        assert.match(sdkMetrics, /^temporal_workflow_task_schedule_to_start_latency_bucket\{.*task_queue="e2e-/m);
        assert.match(sdkMetrics, /^temporal_activity_schedule_to_start_latency_bucket\{/m);
      } finally {
        await Promise.all([webhook?.stop(), worker?.stop()]);
      }
      // Logs of the whole run: no private key, no payer tax id or name.
      const output = [...(webhook?.logs ?? []), ...(worker?.logs ?? [])].map((l) => JSON.stringify(l)).join('\n');
      assert.ok(output.length > 0);
      assert.doesNotMatch(output, /PRIVATE KEY|BEGIN EC/);
      assert.doesNotMatch(output, /\d{3}\.\d{3}\.\d{3}-\d{2}|\b\d{11}\b/, 'an unmasked CPF reached the logs');
      assert.doesNotMatch(output, /Payer \d+/, 'a payer name reached the logs');
    }
  });
});
