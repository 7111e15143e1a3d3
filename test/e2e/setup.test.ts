import { serviceEnv } from '../../testkit/serviceEnv';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { customSearchAttributes } from '../../src/temporal/searchAttributes';
import { startTestEmulator, type TestEmulator } from '../../testkit/emulator';
import { runToExit } from '../../testkit/processes';
import { getTestEnv } from '../helpers/temporal';
import { runCli } from './ops/run';

describe('setup provisions a namespace, and the services refuse one it has not (real processes, real Temporal)', function () {
  this.timeout(120_000);
  let stark: TestEmulator;
  let envOf: (namespace: string) => Record<string, string>;

  before(async () => {
    stark = await startTestEmulator({ seed: randomUUID() });
    const env = await getTestEnv();
    envOf = (namespace) =>
      serviceEnv(
        stark,
        { address: env.address, taskQueue: `setup-${randomUUID()}` },
        { TEMPORAL_NAMESPACE: namespace },
      );
  });
  after(() => stark?.close());

  /** A namespace as a fresh self-hosted cluster has it: there, with a retention, and no custom search attribute. */
  async function bareNamespace(): Promise<string> {
    const env = await getTestEnv();
    const namespace = `bare-${randomUUID().slice(0, 8)}`;
    await env.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(7 * 86_400_000),
    });
    return namespace;
  }

  it('stops the worker and the webhook on a namespace without the search attributes they write, naming them', async () => {
    const namespace = await bareNamespace();
    const [worker, webhook] = await Promise.all([
      runToExit('src/worker.ts', envOf(namespace)),
      runToExit('src/webhook.ts', envOf(namespace)),
    ]);
    assert.equal(worker.code, 1, worker.output);
    assert.match(
      worker.output,
      new RegExp(`namespace ${namespace} has no search attribute InvoiceId \\(Keyword\\), PayoutStatus \\(Keyword\\)`),
    );
    assert.match(worker.output, /run setup \(npm run ops -- setup\)/);
    assert.equal(webhook.code, 1, webhook.output);
    assert.match(
      webhook.output,
      /no search attribute InvoiceId \(Keyword\), PayoutStatus \(Keyword\), which this process writes/,
    );
  });

  it('creates a missing namespace with its retention, the search attributes and the pause switch, then finds them', async () => {
    const namespace = `fresh-${randomUUID().slice(0, 8)}`;
    const env = envOf(namespace);
    const first = await runCli(['setup'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Namespace ${namespace}:\\s+created`));
    assert.match(first.stdout, /Retention:\s+kept 7 days/);
    assert.match(
      first.stdout,
      new RegExp(`Search attributes:\\s+created ${customSearchAttributes.map((k) => k.name).join(', ')}`),
    );
    assert.match(first.stdout, /Pause switch:\s+started/);
    assert.match(first.stdout, /Schedules:\s+issue-invoices \(created\)/);

    const again = await runCli(['setup'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`Namespace ${namespace}:\\s+exists`));
    assert.match(again.stdout, /Search attributes:\s+all present/);
    assert.match(again.stdout, /Pause switch:\s+running/);
    assert.match(again.stdout, /issue-invoices \(unchanged\)/);

    // And the worker now starts on it.
    const client = new Client({ connection: (await getTestEnv()).connection, namespace });
    assert.ok((await client.workflow.count('WorkflowType="pauseSwitch"')).count >= 0);
    for (const id of ['issue-invoices', 'sweep-undelivered-events', 'reconcile-payouts']) {
      await client.schedule.getHandle(id).delete();
    }
  });
});
