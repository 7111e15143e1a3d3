import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import starkbank from 'starkbank';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createRecoveryActivities } from '../../../src/activities/recovery';
import { MalformedEventError, parseEvent } from '../../../src/events/schema';
import { payoutWorkflowId } from '../../../src/domain/payoutIds';
import type { PayoutState } from '../../../src/workflows/payoutDefinitions';
import { reconcilePayouts, sweepEvents } from '../../../src/workflows/recovery';
import { registerPayoutGauges } from '../../../src/gauges/payoutGauges';
import { Registry } from 'prom-client';
import { registry } from '../../../src/observability/metrics';
import { captureHistory } from '../../helpers/histories';
import { createInvoice, creditedEventOf, transfersOf, withPayoutWorker } from '../../helpers/payouts';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { eventually } from '../../helpers/temporal';

describe('recovery: sweep of undelivered events and reconciliation', function () {
  this.timeout(90_000);
  let stark: TestEmulator;

  before(async () => {
    // Bank time at 1/2000: Stark Bank's 5/30/120-minute retries take 0.15/0.9/3.6 s.
    stark = await startTestEmulator({ seed: randomUUID(), behaviour: { timeScale: 0.0005, payShare: 0 } });
    // The webhook process is down: nothing listens on port 1.
    await starkbank.webhook.create({
      url: 'http://127.0.0.1:1/webhook/starkbank',
      subscriptions: ['invoice', 'transfer'],
      user: stark.user,
    });
  });
  after(() => stark?.close());

  it('recovers every payout, exactly once, after the emulator gave up delivering its events', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const invoiceIds = await Promise.all([3_000, 4_000, 5_000].map((amount) => createInvoice(stark.user, amount)));
      for (const id of invoiceIds) stark.emulator.payInvoice(id);

      // Each event: the first try and three retries, all failed.
      await eventually(
        () => {
          const { events, attempts } = stark.emulator.snapshot();
          const done = events.every((e) => attempts.filter((a) => a.eventId === e.id).length === 4);
          return Promise.resolve(done && events.length === 9 ? true : undefined);
        },
        { timeoutMs: 20_000, what: 'the emulator to exhaust its retries' },
      );
      assert.ok(stark.emulator.snapshot().events.every((e) => !e.isDelivered));

      const first = await client.workflow.start(sweepEvents, { taskQueue, workflowId: `sweep-${randomUUID()}` });
      const report = await first.result();
      assert.equal(report.undelivered, 9);
      assert.equal(report.outcomes['payout-started-or-signaled'], 3);
      assert.equal(report.outcomes.ignored, 6);
      assert.equal(report.markedDelivered, 9);
      await captureHistory(first, 'recovery/sweep-events');

      for (const id of invoiceIds) {
        const state = (await client.workflow.getHandle(payoutWorkflowId(id)).result()) as PayoutState;
        assert.equal(state.status, 'Succeeded');
      }
      // The payouts' own transfer events were lost too; sweeping them changes nothing.
      const second = await client.workflow.execute(sweepEvents, { taskQueue, workflowId: `sweep-${randomUUID()}` });
      assert.ok(second.undelivered > 0);
      assert.equal(second.outcomes['payout-started-or-signaled'] ?? 0, 0);
      for (const id of invoiceIds) assert.equal((await transfersOf(stark.user, id)).length, 1, `transfers of ${id}`);
    });
  });

  it('starts the payout of a credited invoice whose events were all lost, and then finds no drift', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const invoiceId = await createInvoice(stark.user, 6_500);
      stark.emulator.payInvoice(invoiceId, { fee: 100 });

      const handle = await client.workflow.start(reconcilePayouts, {
        taskQueue,
        workflowId: `reconcile-${randomUUID()}`,
        args: [{ lookbackDays: 1 }],
      });
      const report = await handle.result();
      assert.deepEqual(report.unpaid, [{ invoiceId, netCents: 6_400, action: 'payout-started' }]);
      // The deployment's gauges show the last completed reconciliation, whichever worker ran it.
      const gauges = new Registry();
      registerPayoutGauges(client, taskQueue, { registry: gauges, maxAgeMs: 0 });
      const figures = await eventually(
        async () => {
          const text = await gauges.metrics();
          return /^reconciliation_drift/m.test(text) ? text : undefined;
        },
        { what: 'the gauges to show the reconciliation' },
      );
      assert.match(figures, /^reconciliation_drift\{kind="unpaid"\} 1$/m);
      assert.match(figures, /^reconciliation_unpaid\{action="payout-started"\} 1$/m);
      assert.match(figures, /^reconciliation_cents\{side="credited_net"\} [1-9]/m);
      await captureHistory(handle, 'recovery/reconcile-payouts');

      const state = (await client.workflow.getHandle(payoutWorkflowId(invoiceId)).result()) as PayoutState;
      assert.equal(state.status, 'Succeeded');
      assert.equal(state.netCents, 6_400);

      const clean = await client.workflow.execute(reconcilePayouts, {
        taskQueue,
        workflowId: `reconcile-${randomUUID()}`,
        args: [{ lookbackDays: 1 }],
      });
      assert.deepEqual(clean.unpaid, []);
      assert.deepEqual(clean.sentWithoutCredit, []);
      assert.deepEqual(clean.duplicates, []);
      assert.equal(clean.sentCents, clean.creditedNetCents);
      assert.equal(clean.credited, 4);
      // Visibility lists the newest run a moment after it closes.
      const after = await eventually(
        async () => {
          const text = await gauges.metrics();
          return /^reconciliation_drift\{kind="unpaid"\} 0$/m.test(text) ? text : undefined;
        },
        { what: 'the gauges to show the newest reconciliation' },
      );
      assert.match(after, /^reconciliation_drift\{kind="duplicate"\} 0$/m);
      console.log(
        `      reconciliation: ${clean.credited} credited, ${clean.transfers} transfers, ` +
          `credited net ${clean.creditedNetCents} = sent ${clean.sentCents}, unpaid ${clean.unpaid.length}`,
      );
    });
  });

  it('reports an event it can never process once, with a metric, and stops listing it', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      // An invoice event whose log has no invoice: valid for Stark Bank one day, never for this product.
      const odd = stark.emulator.injectEvent({ subscription: 'invoice', log: { id: 'odd-log', type: 'credited' } });
      const before = await unprocessableCount();
      const first = await client.workflow.execute(sweepEvents, { taskQueue, workflowId: `sweep-${randomUUID()}` });
      assert.deepEqual(
        first.unprocessable.map((u) => u.eventId),
        [odd.id],
      );
      assert.match(first.unprocessable[0]!.reason, /event\.log\.invoice/);
      assert.equal(await unprocessableCount(), before + 1);
      assert.equal(stark.emulator.snapshot().events.find((e) => e.id === odd.id)?.isDelivered, true);

      const second = await client.workflow.execute(sweepEvents, { taskQueue, workflowId: `sweep-${randomUUID()}` });
      assert.deepEqual(second.unprocessable, [], 'listed once, not at every sweep');
    });
  });

  it('leaves an event undelivered at Stark Bank while Temporal cannot take it, and hands it over once it can', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const invoiceId = await createInvoice(stark.user, 2_500);
      stark.emulator.payInvoice(invoiceId);
      const credited = creditedEventOf(stark.emulator, invoiceId);
      const isDelivered = (id: string) => stark.emulator.snapshot().events.find((e) => e.id === id)?.isDelivered;
      const waitingForTemporal = () =>
        stark.emulator
          .snapshot()
          .events.filter((e) => !e.isDelivered && e.subscription === 'invoice')
          .map((e) => parseEvent(JSON.parse(JSON.stringify(e))))
          .filter((e) => e.kind === 'invoice' && e.log.type === 'credited')
          .map((e) => e.id);
      const before = waitingForTemporal();
      assert.ok(before.includes(credited.id));

      // The sweep's hand-off finds Temporal down (nothing listens on port 1): the activity fails, to run again.
      const down = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
      try {
        const recovery = createRecoveryActivities({
          user: stark.user,
          client: down,
          taskQueue,
          retentionMs: () => Promise.resolve(7 * 86_400_000),
        });
        await assert.rejects(
          new MockActivityEnvironment(
            { activityType: 'sweepUndeliveredEvents' },
            { logger: new DefaultLogger('ERROR') }, // the failure is the point: no WARN with its stack
          ).run(() => recovery.sweepUndeliveredEvents()),
          (err: unknown) => {
            assert.ok(!(err instanceof MalformedEventError), String(err));
            return true;
          },
        );
      } finally {
        await down.connection.close();
      }
      assert.deepEqual(waitingForTemporal(), before, 'a credited event Temporal never got is still undelivered');
      assert.equal(isDelivered(credited.id), false);

      // Temporal is back: the next sweep hands the event over, and only then marks it delivered.
      const report = await client.workflow.execute(sweepEvents, { taskQueue, workflowId: `sweep-${randomUUID()}` });
      assert.equal(report.outcomes['payout-started-or-signaled'], before.length);
      assert.equal(isDelivered(credited.id), true);
      const state = (await client.workflow.getHandle(payoutWorkflowId(invoiceId)).result()) as PayoutState;
      assert.equal(state.status, 'Succeeded');
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 1);
    });
  });
});

async function unprocessableCount(): Promise<number> {
  const metric = await registry.getSingleMetricAsString('sweep_unprocessable_events_total');
  return Number(/ (\d+)$/m.exec(metric)?.[1] ?? 0);
}
