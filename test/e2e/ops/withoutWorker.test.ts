import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { createEventDispatcher } from '../../../src/events/dispatch';
import { provisionDeployment } from '../../../src/setup/provisionDeployment';
import type { PayoutState } from '../../../src/workflows/payoutDefinitions';
import { useTestEmulator } from '../../helpers/emulator';
import { createInvoice, creditAndDispatch, creditedEventOf, withPayoutWorker } from '../../helpers/payouts';
import { getTestEnv, uniqueId } from '../../helpers/temporal';
import { runCli, temporalEnv } from './run';

describe('ops CLI without a worker: it answers what it can and never hangs (real process, real Temporal)', function () {
  this.timeout(90_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('shows a completed payout from its result, and a running one from what Temporal indexed', async () => {
    const sent = await withPayoutWorker(stark, async (ctx) => {
      const payout = await creditAndDispatch(stark, ctx, 1_500);
      await payout.handle.result();
      return payout.invoiceId;
    });
    // A payout on a task queue no worker polls: it runs, and nothing can answer its query.
    const env = await getTestEnv();
    const idle = uniqueId('idle');
    await provisionDeployment(env.client, { taskQueue: idle, retentionDays: 7 });
    const waiting = await createInvoice(stark.user, 2_500);
    stark.emulator.payInvoice(waiting);
    const dispatcher = createEventDispatcher({
      client: env.client,
      taskQueue: idle,
      retentionMs: () => Promise.resolve(7 * 86_400_000),
    });
    assert.equal(await dispatcher.dispatch(creditedEventOf(stark.emulator, waiting)), 'payout-started-or-signaled');

    const cliEnv = await temporalEnv(idle);
    const [completed, running] = await Promise.all([
      runCli(['payouts', 'show', sent, '--json'], cliEnv),
      runCli(['payouts', 'show', waiting], cliEnv),
    ]);
    assert.equal(completed.code, 0, completed.stderr);
    const shown = JSON.parse(completed.stdout) as { source: string; payout: PayoutState };
    assert.equal(shown.source, 'result');
    assert.equal(shown.payout.status, 'Succeeded');
    assert.equal(running.code, 0, running.stderr);
    assert.match(running.stdout, new RegExp(`^Invoice:\\s+${waiting}$`, 'm'));
    assert.match(running.stdout, /^Execution:\s+RUNNING$/m);
    assert.match(running.stdout, /^Note:\s+no worker answered/m);
    await env.client.workflow.getHandle(`payout-${waiting}`).terminate('test over');
  });

  it('refuses at once what needs a worker when none polls, naming the task queue', async () => {
    const idle = uniqueId('idle');
    const cliEnv = await temporalEnv(idle);
    const started = Date.now();
    const results = await Promise.all([
      runCli(['recovery', 'sweep'], cliEnv),
      runCli(['payouts', 'approve', '5155165527080960', '--operator', 'ana'], cliEnv),
      runCli(['payouts', 'pause', '--operator', 'ana'], cliEnv),
    ]);
    for (const r of results) {
      assert.equal(r.code, 1, r.stdout);
      assert.match(
        r.stderr,
        new RegExp(`^error: no worker polls task queue ${idle} on namespace default: .*worker.*; start one`, 'm'),
      );
    }
    assert.ok(Date.now() - started < 20_000, 'refused without waiting');
  });

  it('gives up after --timeout when a worker is there but does not finish', async () => {
    const env = await getTestEnv();
    const silent = uniqueId('silent');
    // A poller that takes the workflow task and never completes it: the run cannot finish.
    const poll = env.client.connection
      .withDeadline(Date.now() + 20_000, () =>
        env.client.workflowService.pollWorkflowTaskQueue({
          namespace: 'default',
          taskQueue: { name: silent, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          identity: 'silent-test-poller',
        }),
      )
      .catch(() => undefined);
    const result = await runCli(['--timeout', '3', 'recovery', 'sweep'], await temporalEnv(silent));
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /^error: gave up after 3 s waiting for Temporal \(the sweep runs on a worker\)/m);
    await poll;
    for await (const w of env.client.workflow.list({ query: `TaskQueue="${silent}" AND ExecutionStatus="Running"` })) {
      await env.client.workflow.getHandle(w.workflowId).terminate('test over');
    }
  });
});
