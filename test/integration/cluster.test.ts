import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { findFreeClusterPorts } from '../../tools/cluster/ports';
import { startCluster, type ClusterOptions, type LocalCluster } from '../../tools/cluster/startCluster';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import { customSearchAttributes, PayoutStatusKey } from '../../src/temporal/searchAttributes';
import { upsertInvoiceSearchAttributes } from '../fixtures/workflows';
import { eventually, getWorkflowBundle, uniqueId } from '../helpers/temporal';

const workflowsPath = require.resolve('../fixtures/workflows');
const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const DAY_MS = 24 * 60 * 60 * 1000;

// Needs PostgreSQL (`apt-get install postgresql`) and the built server, SQL tool and Web UI
// (`npm run cluster:binaries`); without them the start fails and says which is missing. CI provides both.
describe('local cluster (npm run cluster): PostgreSQL, the real server, the Web UI', function () {
  let dataDir: string;
  let ports: Awaited<ReturnType<typeof findFreeClusterPorts>>;
  let options: ClusterOptions;
  let cluster: LocalCluster | undefined;
  let connection: Connection | undefined;

  const connect = async (c: LocalCluster) => {
    await connection?.close();
    connection = await Connection.connect({ address: c.address });
    return connection;
  };

  before(async function () {
    this.timeout(180_000);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'cluster-test-'));
    // As root, PostgreSQL runs as `postgres`, which must reach its data dir inside this one.
    await chmod(dataDir, 0o755);
    ports = await findFreeClusterPorts();
    options = {
      dataDir,
      ...ports,
      historyShards: 2,
      retentionDays: 3,
      goInstall: false,
      log: () => undefined,
    };
    cluster = await startCluster(options);
  });

  after(async function () {
    this.timeout(60_000);
    await connection?.close();
    await cluster?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the default namespace with its retention and shard count; setup adds the search attributes', async () => {
    const c = await connect(cluster!);
    const info = await c.workflowService.getClusterInfo({});
    assert.equal(info.historyShardCount, 2);
    assert.equal(info.persistenceStore, 'postgres12');
    assert.equal(info.visibilityStore, 'postgres12');

    const described = await c.workflowService.describeNamespace({ namespace: 'default' });
    assert.equal(tsToMs(described.config?.workflowExecutionRetentionTtl), 3 * DAY_MS);

    // A fresh cluster has none of the product's attributes, as any self-hosted one: setup creates them.
    const before = await c.operatorService.listSearchAttributes({ namespace: 'default' });
    assert.equal(customSearchAttributes.filter((key) => key.name in (before.customAttributes ?? {})).length, 0);
    const report = await provisionDeployment(new Client({ connection: c }), {
      taskQueue: uniqueId('tq'),
      retentionDays: 3,
    });
    assert.equal(report.searchAttributes, `created ${customSearchAttributes.map((key) => key.name).join(', ')}`);
    assert.deepEqual(report.manual, []);
    const { customAttributes } = await c.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const key of customSearchAttributes) {
      const expected =
        key.type === 'INT' ? IndexedValueType.INDEXED_VALUE_TYPE_INT : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
      assert.equal(customAttributes?.[key.name], expected, key.name);
    }

    const ui = await fetch(cluster!.uiUrl);
    assert.equal(ui.status, 200);
  });

  const invoiceId = uniqueId('inv');
  const workflowId = uniqueId('cluster');

  it('runs a workflow that upserts the search attributes, and finds it by them', async function () {
    this.timeout(120_000);
    const native = await NativeConnection.connect({ address: cluster!.address });
    try {
      const taskQueue = uniqueId('tq');
      const worker = await Worker.create({
        connection: native,
        namespace: 'default',
        taskQueue,
        workflowBundle: await getWorkflowBundle(workflowsPath),
      });
      const client = new Client({ connection: await connect(cluster!) });
      const result = await worker.runUntil(
        client.workflow.execute(upsertInvoiceSearchAttributes, {
          workflowId,
          taskQueue,
          args: [invoiceId, 'created'],
          workflowExecutionTimeout: '60s',
        }),
      );
      assert.equal(result, `${invoiceId}:created`);
    } finally {
      await native.close();
    }
    const found = await findByInvoiceId(cluster!);
    assert.equal(found.workflowId, workflowId);
    assert.equal(found.typedSearchAttributes.get(PayoutStatusKey), 'created');
  });

  it('refuses another shard count on existing data, and resumes on it after a restart', async function () {
    this.timeout(180_000);
    await cluster!.stop();
    cluster = undefined;
    await assert.rejects(startCluster({ ...options, historyShards: 4 }), /created with 2 history shards/);

    cluster = await startCluster({ ...options, historyShards: undefined });
    assert.equal(cluster.historyShards, 2);
    const found = await findByInvoiceId(cluster);
    assert.equal(found.workflowId, workflowId);
    assert.equal(found.status.name, 'COMPLETED');
  });

  it('restarts PostgreSQL and the server in place, names their pids, and keeps its data', async function () {
    this.timeout(180_000);
    const before = cluster!.pids();
    assert.ok(before.server > 0 && before.postgres > 0, JSON.stringify(before));
    await cluster!.restartPostgres();
    assert.notEqual(cluster!.pids().postgres, before.postgres);
    await cluster!.restartServer();
    assert.notEqual(cluster!.pids().server, before.server);
    const found = await findByInvoiceId(cluster!);
    assert.equal(found.workflowId, workflowId);
    // A restart on purpose is not the server exiting on its own.
    const settled = await Promise.race([
      cluster!.failed.then((error) => error.message),
      new Promise((resolve) => setTimeout(() => resolve('running'), 500)),
    ]);
    assert.equal(settled, 'running');
  });

  async function findByInvoiceId(c: LocalCluster) {
    const client = new Client({ connection: await connect(c) });
    return eventually(
      async () => {
        for await (const wf of client.workflow.list({ query: `InvoiceId="${invoiceId}"` })) return wf;
        return undefined;
      },
      { timeoutMs: 30_000, what: `the cluster's visibility to list InvoiceId=${invoiceId}` },
    );
  }
});
