import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { freePort } from '../../testkit/devServer';
import { freshClone, npmRun } from '../../testkit/freshClone';
import { eventually, getTestEnv, TEST_ENGINE } from '../helpers/temporal';

/**
 * `npm run dev -- --demo` as README says, in a fresh clone (its default data dir), pointed at a running Temporal
 * (TEMPORAL_ADDRESS), as after `npm run cluster`: it provisions its own namespace, runs the worker, webhook,
 * schedules and emulator, and pays the demo batch with no manual step. Beside it, `npm run ops` in a second
 * terminal finds it with no flag and no variable, and decodes through its codec server. A namespace of its own
 * keeps its fixed schedule ids apart from the other tests'.
 */
describe(`npm run dev -- --demo on a running Temporal, and npm run ops beside it (${TEST_ENGINE} engine)`, function () {
  this.timeout(240_000);

  it('issues the demo batch, pays every invoice the emulator credits, and ops works beside it', async () => {
    const env = await getTestEnv();
    const namespace = `demo-${Date.now().toString(36)}`;
    const clone = freshClone();
    const dev = npmRun(clone.dir, 'dev', ['--demo'], {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: namespace,
      WEBHOOK_PORT: String(await freePort()),
      ADMIN_PORT: String(await freePort()),
      CODEC_PORT: String(await freePort()),
      SDK_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    // A second terminal: only what a shell has, in the same checkout.
    const ops = async (...args: string[]) => {
      const run = promisify(execFile)('npm', ['run', '-s', 'ops', '--', ...args], {
        cwd: clone.dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      });
      return (await run).stdout;
    };
    const client = new Client({ connection: env.connection, namespace });
    try {
      await dev.waitFor(/Ctrl-C stops everything/, 180_000);
      // One line tells a newcomer how to operate it; in the clone's own checkout it needs no variable.
      assert.ok(
        dev.lines.some((l) => l.endsWith('operate it from another terminal: npm run ops -- payouts list')),
        dev.lines.join('\n'),
      );
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

      // Search attributes only, then a payout's state (a query, decoded through the dev run's codec server),
      // then a write (the pause switch's update, encoded there too): no flag, no variable, no key.
      const listed = JSON.parse(await ops('payouts', 'list', '--json')) as { invoiceId: string; status: string }[];
      // The emulator may credit more of the batch meanwhile: what had succeeded is listed as succeeded.
      const succeeded = listed.filter((row) => row.status === 'Succeeded');
      assert.ok(succeeded.length >= paid, JSON.stringify(listed));
      // A completed payout's state is its result, read from history and decoded by the dev run's codec server.
      const shown = JSON.parse(await ops('payouts', 'show', succeeded[0]!.invoiceId, '--json')) as {
        source: string;
        payout?: { status?: string };
      };
      assert.deepEqual([shown.source, shown.payout?.status], ['result', 'Succeeded'], JSON.stringify(shown));
      assert.match(await ops('payouts', 'pause', '--operator', 'newcomer'), /Payouts paused by newcomer/);
      assert.match(await ops('payouts', 'resume', '--operator', 'newcomer'), /Payouts resumed by newcomer/);
    } finally {
      await dev.interrupt();
    }
    assert.ok(
      dev.lines.some((l) => l.includes('stopped; state kept in')),
      dev.lines.join('\n'),
    );
    assert.ok(!fs.existsSync(path.join(clone.dir, '.data/dev.json')), 'ops no longer finds a stopped run');
    clone.remove();
  });
});
