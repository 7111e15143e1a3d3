import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { freePort } from '../../testkit/devServer';
import { startService } from '../../testkit/processes';
import { eventually, getTestEnv, TEST_ENGINE } from '../helpers/temporal';

/**
 * `npm run dev -- --demo` pointed at a running Temporal (TEMPORAL_ADDRESS), as after `npm run cluster`: it
 * provisions its own namespace, runs the worker, webhook, schedules and emulator, and pays the demo batch with
 * no manual step. A namespace of its own keeps its fixed schedule ids apart from the other tests'.
 */
describe(`npm run dev -- --demo on a running Temporal (${TEST_ENGINE} engine)`, function () {
  this.timeout(180_000);

  it('issues the demo batch and pays every invoice the emulator credits', async () => {
    const env = await getTestEnv();
    const namespace = `demo-${Date.now().toString(36)}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-demo-'));
    const dev = await startService(
      'tools/dev.ts',
      {
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: namespace,
        WEBHOOK_PORT: String(await freePort()),
        ADMIN_PORT: String(await freePort()),
        SDK_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      },
      (line) => line.msg === '▸ Ctrl-C stops everything',
      120_000,
      [],
      ['--demo', '--data-dir', dataDir],
    );
    const client = new Client({ connection: env.connection, namespace });
    try {
      const count = async (query: string) => (await client.workflow.count(query)).count;
      const paid = await eventually(
        async () => {
          const [all, succeeded] = await Promise.all([
            count('WorkflowType="payout"'),
            count('WorkflowType="payout" AND PayoutStatus="Succeeded"'),
          ]);
          return all > 0 && succeeded === all ? succeeded : undefined;
        },
        { timeoutMs: 120_000, what: 'every started payout to succeed' },
      );
      assert.ok(paid >= 1);
      const issued = await count('WorkflowType="issueInvoices" AND ExecutionStatus="Completed"');
      assert.equal(issued, 1, 'the demo issued one batch, with no manual step');
    } finally {
      await dev.stop('SIGINT');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
