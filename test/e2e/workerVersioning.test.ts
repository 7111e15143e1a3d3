import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { decide } from '../../src/decisions/operatorDecisions';
import { createEventDispatcher, type EventDispatcher } from '../../src/events/dispatch';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import { cachedRetention } from '../../src/temporal/namespace';
import { describeDeployment } from '../../src/temporal/workerDeployment';
import type { PayoutState } from '../../src/workflows/payoutDefinitions';
import { startTestEmulator, type TestEmulator } from '../../testkit/emulator';
import { startService, tempFile, type ChildService } from '../../testkit/processes';
import { serviceEnv } from '../../testkit/serviceEnv';
import { BUILD_B_REASON } from '../fixtures/buildB/workflows';
import { creditAndDispatch, transfersOf, waitForStatus } from '../helpers/payouts';
import { getTestEnv, getWorkflowBundle, TEST_ENGINE, uniqueId } from '../helpers/temporal';
import { runCli, temporalEnv } from './ops/run';

const { VersioningBehavior } = temporal.api.enums.v1;
const MAX_CENTS = 5_000;
const HELD_CENTS = 9_000; // above the maximum: parked until a person approves

/** The build each of a payout's workflow tasks ran on (from its history), and the build it is pinned to. */
async function buildsOf(handle: WorkflowHandle): Promise<{ tasks: string[]; pinnedTo?: string }> {
  const history = await handle.fetchHistory();
  const tasks = (history.events ?? [])
    .map((e) => e.workflowTaskCompletedEventAttributes)
    .filter((a) => a !== null && a !== undefined)
    .map((a) => a.deploymentVersion?.buildId ?? 'unversioned');
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  const pinned = info?.behavior === VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;
  return { tasks: [...new Set(tasks)], pinnedTo: pinned ? (info.deploymentVersion?.buildId ?? undefined) : undefined };
}

describe(`worker versioning: build A to B and back (real workers, ${TEST_ENGINE} engine, emulator)`, function () {
  this.timeout(600_000);
  let stark: TestEmulator;
  const workers: ChildService[] = [];

  before(async () => {
    stark = await startTestEmulator({ seed: randomUUID(), behaviour: { timeScale: 0.01, payShare: 0 } });
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await stark?.close();
  });

  it('pins payouts to the build they started on, starts new ones on the current build, and rolls back', async () => {
    const env = await getTestEnv();
    const client: Client = env.client;
    const taskQueue = uniqueId('versioning');
    await provisionDeployment(client, { taskQueue, retentionDays: 7 });
    const dispatcher: EventDispatcher = createEventDispatcher({
      client,
      taskQueue,
      retentionMs: cachedRetention(client),
    });
    const base = serviceEnv(stark, { address: env.address, taskQueue }, { PAYOUT_MAX_AMOUNT_CENTS: String(MAX_CENTS) });
    const bundleB = tempFile(
      'bundle-b.js',
      (await getWorkflowBundle(require.resolve('../fixtures/buildB/workflows'))).code,
    );
    const startWorker = async (buildId: string, extra: Record<string, string> = {}) => {
      const w = await startService(
        'src/worker.ts',
        { ...base, WORKER_BUILD_ID: buildId, ...extra },
        (l) => l.msg === 'worker started',
        120_000,
      );
      workers.push(w);
      return w;
    };
    const pay = (amount: number) => creditAndDispatch(stark, { client, dispatcher }, amount);
    const ops = async (...args: string[]) => runCli(['deploy', ...args], await temporalEnv(taskQueue));

    // Build A is the deployment's first: it makes itself current, with no manual step.
    const a = await startWorker('A');
    assert.ok(
      a.logs.some((l) => l.outcome === 'became-current'),
      JSON.stringify(a.logs.slice(-3)),
    );
    const heldOnA = [await pay(HELD_CENTS), await pay(HELD_CENTS + 1)];
    const paidOnA = [await pay(1_000)];
    for (const p of heldOnA) await waitForStatus(p.handle, 'AwaitingApproval', 60_000);

    // Build B arrives beside it as a candidate: the routing stays on A until an operator moves it.
    const b = await startWorker('B', { WORKFLOW_BUNDLE_PATH: bundleB });
    assert.ok(
      b.logs.some((l) => l.outcome === 'candidate'),
      JSON.stringify(b.logs.slice(-3)),
    );
    assert.equal((await describeDeployment(client, taskQueue))?.current, 'A');
    const refused = await ops('set-current', 'B', '--operator', 'ana');
    assert.equal(refused.code, 1, 'without B code the check cannot run');
    assert.match(refused.stderr, /give its code/);

    const promoted = await ops('set-current', 'B', '--bundle', bundleB, '--operator', 'ana');
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stdout, /Verdict: +compatible/);
    assert.match(promoted.stdout, /Pinned elsewhere: +[2-9]/);
    const described = await ops('describe', '--json');
    assert.equal((JSON.parse(described.stdout) as { current: string }).current, 'B');
    const paidOnB = [await pay(1_100), await pay(1_200)];

    // The parked payouts are decided now, and finish on A, where they started.
    for (const p of heldOnA) {
      await decide(client, taskQueue, 'approve', p.invoiceId, { operator: 'ana', note: 'known payer' });
    }

    // Rolling back: A is current again, and the next payout starts there.
    const back = await ops(
      'set-current',
      'A',
      '--workflows',
      require.resolve('../../src/workflows'),
      '--operator',
      'ana',
    );
    assert.equal(back.code, 0, back.stderr);
    assert.equal((await describeDeployment(client, taskQueue))?.current, 'A');
    const paidAfterRollback = [await pay(1_300)];

    const expected = [
      ...heldOnA.map((p, i) => ({ ...p, build: 'A', amount: HELD_CENTS + i })),
      ...paidOnA.map((p) => ({ ...p, build: 'A', amount: 1_000 })),
      ...paidOnB.map((p, i) => ({ ...p, build: 'B', amount: 1_100 + 100 * i })),
      ...paidAfterRollback.map((p) => ({ ...p, build: 'A', amount: 1_300 })),
    ];
    for (const { invoiceId, handle, build, amount } of expected) {
      const state: PayoutState = await handle.result();
      assert.equal(state.status, 'Succeeded', invoiceId);
      assert.equal(state.reasons.includes(BUILD_B_REASON), build === 'B', `${invoiceId}: ${state.reasons.join('; ')}`);
      assert.deepEqual(await buildsOf(handle), { tasks: [build], pinnedTo: build }, `builds of ${invoiceId}`);
      const transfers = await transfersOf(stark.user, invoiceId);
      assert.deepEqual(
        transfers.map((t) => t.amount),
        [amount],
        `transfers of invoice ${invoiceId}`,
      );
    }
    // Nothing else moved: one transfer per payout, no more.
    assert.equal(stark.emulator.snapshot().transfers.length, expected.length);
  });
});
