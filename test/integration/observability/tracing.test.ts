import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import starkbank from 'starkbank';
import { createActivities } from '../../../src/activities';
import { payoutWorkflowId } from '../../../src/domain/payoutIds';
import {
  clientTracingInterceptors,
  installTracing,
  tracingPlugin,
  type Tracing,
} from '../../../src/observability/tracing';
import { installStarkbankPatches } from '../../../src/starkbank/sdkPatches';
import { provisionDeployment } from '../../../src/setup/provisionDeployment';
import type { PayoutState } from '../../../src/workflows/payoutDefinitions';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { runDataConverter } from '../../../testkit/payloadKeys';
import { createInvoice, testActivityDeps, workflowsPath } from '../../helpers/payouts';
import { eventually, getTestEnv, uniqueId, withWorker } from '../../helpers/temporal';
import { startTestWebhook } from '../../helpers/webhookServer';

describe('tracing (real webhook, real dev server, emulator, in-memory exporter)', function () {
  this.timeout(60_000);
  let stark: TestEmulator;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();

  before(async () => {
    stark = await startTestEmulator({ seed: randomUUID(), behaviour: { timeScale: 0.01, payShare: 0 } });
    tracing = installTracing({}, 'payouts-test', new SimpleSpanProcessor(exporter));
    // As the entry points do: the SDK's requests get their spans from the product's own patches.
    installStarkbankPatches({
      emulator: { host: '127.0.0.1', port: stark.emulator.port, caPem: stark.emulator.caPem },
      httpTimeoutMs: 15_000,
    });
  });
  after(async () => {
    await tracing?.shutdown();
    await stark?.close();
  });

  it('follows a credited invoice in one trace: webhook, signalWithStart, workflow, activity, Stark Bank call', async () => {
    const env = await getTestEnv();
    const taskQueue = uniqueId('traced');
    // The product's client: its interceptor puts the webhook's trace context into the workflow's headers.
    const client = new Client({
      connection: env.connection,
      dataConverter: runDataConverter,
      interceptors: clientTracingInterceptors(),
    });
    await provisionDeployment(env.client, { taskQueue, retentionDays: 7 });
    const activities = createActivities(testActivityDeps(env.client, stark.user, taskQueue));
    const invoiceId = await withWorker(
      // The worker's tracing plugin, exporting into this test's processor.
      { workflowsPath, activities, taskQueue, plugins: [tracingPlugin(tracing)] },
      async () => {
        const hook = await startTestWebhook({ user: stark.user, client, taskQueue });
        try {
          // Stark Bank (the emulator) delivers the signed credited event to the real webhook app.
          await starkbank.webhook.create({ url: hook.url, subscriptions: ['invoice'], user: stark.user });
          const id = await createInvoice(stark.user, 4_000);
          stark.emulator.payInvoice(id);
          const handle = client.workflow.getHandle(payoutWorkflowId(id));
          await eventually(() => handle.describe().catch(() => undefined), { what: 'the payout to start' });
          assert.equal(((await handle.result()) as PayoutState).status, 'Succeeded');
          return id;
        } finally {
          await hook.close();
        }
      },
    );
    await tracing.spanProcessor.forceFlush();

    const spans = exporter.getFinishedSpans();
    const root = spans.find(
      (s) =>
        s.name === 'POST /webhook/starkbank' &&
        s.attributes.invoiceId === invoiceId &&
        s.attributes['stark.log_type'] === 'credited',
    );
    assert.ok(root, 'the webhook request that carried the credited event has a span');
    assert.equal(root.parentSpanId, undefined, 'the webhook request starts the trace');
    const childOf = (parent: ReadableSpan, name: string | RegExp) => {
      const child = spans.find(
        (s) =>
          s.parentSpanId === parent.spanContext().spanId &&
          (typeof name === 'string' ? s.name === name : name.test(s.name)),
      );
      const siblings = spans.filter((s) => s.parentSpanId === parent.spanContext().spanId).map((s) => s.name);
      assert.ok(child, `no span ${String(name)} under ${parent.name} (children: ${siblings.join(', ')})`);
      assert.equal(child.spanContext().traceId, root.spanContext().traceId, `${child.name} is in another trace`);
      return child;
    };
    const start = childOf(root, /^(SignalWithStart|Start)Workflow:payout$/);
    const run = childOf(start, 'RunWorkflow:payout');
    const scheduled = childOf(run, 'StartActivity:createTransfer');
    const activity = childOf(scheduled, 'RunActivity:createTransfer');
    const http = childOf(activity, 'POST /v2/transfer');
    assert.equal(http.attributes['http.response.status_code'], 200);
    // Reads are local activities, traced the same way.
    childOf(childOf(run, 'StartActivity:readPayoutFacts'), 'RunActivity:readPayoutFacts');

    // Ids only: no payer data in any span of the trace.
    const trace = JSON.stringify(
      spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId).map((s) => s.attributes),
    );
    assert.doesNotMatch(trace, /Test Payer|taxId|\d{3}\.\d{3}\.\d{3}-\d{2}/);
  });

  it('traces a run only when the call that started it was traced: an untraced start leaves no workflow span', async () => {
    const env = await getTestEnv();
    const taskQueue = uniqueId('untraced');
    const activities = createActivities(testActivityDeps(env.client, stark.user, taskQueue));
    const invoiceId = await createInvoice(stark.user, 1_000);
    const untraced = new Client({ connection: env.connection, dataConverter: runDataConverter });
    const traced = new Client({
      connection: env.connection,
      dataConverter: runDataConverter,
      interceptors: clientTracingInterceptors(),
    });
    exporter.reset();
    await withWorker({ workflowsPath, activities, taskQueue, plugins: [tracingPlugin(tracing)] }, async () => {
      for (const client of [untraced, traced]) {
        await client.workflow.execute('lookUpInvoice', {
          taskQueue,
          workflowId: uniqueId('lookup'),
          args: [invoiceId],
        });
      }
    });
    await tracing.spanProcessor.forceFlush();

    const spans = exporter.getFinishedSpans();
    const runs = spans.filter((s) => s.name === 'RunWorkflow:lookUpInvoice');
    const parentOf = (span: ReadableSpan) => spans.find((s) => s.spanContext().spanId === span.parentSpanId)?.name;
    assert.deepEqual(
      runs.map(parentOf),
      ['StartWorkflow:lookUpInvoice'],
      'one workflow span, under the traced start; the untraced run has none',
    );
  });
});
