import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createEventDispatcher } from '../../src/events/dispatch';
import { cachedRetention } from '../../src/temporal/namespace';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import { payoutStateQuery, type PayoutState } from '../../src/workflows/payoutDefinitions';
import { startTestEmulator, type TestEmulator } from '../../testkit/emulator';
import { startService, type ChildService } from '../../testkit/processes';
import { serviceEnv } from '../../testkit/serviceEnv';
import { creditAndDispatch, transfersOf } from '../helpers/payouts';
import { eventually, getTestEnv, uniqueId } from '../helpers/temporal';

const PAYOUTS = 6;
const { EventType, PendingActivityState, TimeoutType } = temporal.api.enums.v1;

/** The createTransfer attempts a payout's worker is running now (started, not finished). */
async function createsInFlight(handle: WorkflowHandle): Promise<number> {
  const { raw } = await handle.describe();
  return (raw.pendingActivities ?? []).filter(
    (a) => a.activityType?.name === 'createTransfer' && a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
  ).length;
}

/** The started events of a payout's createTransfer: each carries its attempt and what ended the one before. */
async function transferStarts(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const scheduled = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createTransfer')
      .map((e) => String(e.eventId)),
  );
  return events
    .filter(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
        scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)),
    )
    .map((e) => e.activityTaskStartedEventAttributes!);
}

describe('worker shutdown (real worker processes, real dev server, emulator)', function () {
  this.timeout(240_000);
  let stark: TestEmulator;

  before(async () => {
    // Bank time runs fast; nothing is paid on its own (each test credits its own invoices).
    stark = await startTestEmulator({ seed: randomUUID(), behaviour: { timeScale: 0.01, payShare: 0 } });
  });
  after(() => stark?.close());

  async function deployment() {
    const env = await getTestEnv();
    const taskQueue = uniqueId('shutdown');
    await provisionDeployment(env.client, { taskQueue, retentionDays: 7 });
    const processEnv = serviceEnv(stark, { address: env.address, taskQueue });
    const dispatcher = createEventDispatcher({
      client: env.client,
      taskQueue,
      retentionMs: cachedRetention(env.client),
    });
    const startWorker = () => startService('src/worker.ts', processEnv, (l) => l.msg === 'worker started', 120_000);
    const burst = () =>
      Promise.all(
        Array.from({ length: PAYOUTS }, (_, i) =>
          creditAndDispatch(stark, { client: env.client, dispatcher }, 1_000 + i),
        ),
      );
    return { env, startWorker, burst };
  }

  /** Every payout succeeded with exactly one transfer of its amount. */
  async function assertPaidOnce(payouts: { invoiceId: string; handle: WorkflowHandle }[], amounts: number[]) {
    for (const [i, { invoiceId, handle }] of payouts.entries()) {
      const state = await eventually(
        async () => {
          const s: PayoutState | undefined = await handle.query(payoutStateQuery).catch(() => undefined);
          return s?.status === 'Succeeded' ? s : undefined;
        },
        { timeoutMs: 60_000, what: `payout of ${invoiceId} to succeed` },
      );
      assert.equal(state.status, 'Succeeded');
      const transfers = await transfersOf(stark.user, invoiceId);
      assert.equal(transfers.length, 1, `transfers of invoice ${invoiceId}`);
      assert.equal(transfers[0]!.amount, amounts[i]);
    }
  }

  it('on SIGTERM lets in-flight transfer creates finish, exits cleanly, and pays each payout once', async () => {
    const { startWorker, burst } = await deployment();
    // Each transfer create is held 2 s at the bank: the burst has creates in flight when SIGTERM arrives.
    stark.emulator.setFaults({
      slowDelayMs: 2_000,
      rules: [{ kind: 'slow', method: 'POST', path: '/v2/transfer', count: PAYOUTS }],
    });
    let worker: ChildService | undefined = await startWorker();
    let next: ChildService | undefined;
    try {
      const payouts = await burst();
      await eventually(
        async () => (await Promise.all(payouts.map((p) => createsInFlight(p.handle)))).some((n) => n > 0) || undefined,
        { timeoutMs: 60_000, what: 'a transfer create in flight' },
      );
      const code = await worker.stop('SIGTERM');
      const last = JSON.stringify(worker.logs.slice(-5));
      assert.equal(code, 0, `the worker exits cleanly after draining: ${last}\n${worker.stderr().slice(-2_000)}`);
      assert.ok(
        worker.logs.some((l) => l.msg === 'worker stopped'),
        'the worker closed its connection and said so',
      );
      worker = undefined;
      next = await startWorker();
      await assertPaidOnce(
        payouts,
        payouts.map((_, i) => 1_000 + i),
      );
      // A create that was running at SIGTERM finished on its first attempt: the grace let it, nothing was retried.
      for (const p of payouts) {
        const starts = await transferStarts(p.handle);
        assert.deepEqual(
          starts.map((s) => s.attempt),
          [1],
          `createTransfer attempts of ${p.invoiceId}`,
        );
      }
    } finally {
      stark.emulator.setFaults({ slowDelayMs: 3_000, rules: [] });
      await Promise.all([worker?.stop('SIGKILL'), next?.stop()]);
    }
  });

  it('after a SIGKILL, the next worker retries the in-flight creates on the heartbeat timeout, paying once', async () => {
    const { startWorker, burst } = await deployment();
    // Held long enough that the kill lands while creates are running.
    stark.emulator.setFaults({
      slowDelayMs: 4_000,
      rules: [{ kind: 'slow', method: 'POST', path: '/v2/transfer', count: PAYOUTS }],
    });
    let worker: ChildService | undefined = await startWorker();
    let next: ChildService | undefined;
    try {
      const payouts = await burst();
      const inFlight = await eventually(
        async () => {
          const counts = await Promise.all(payouts.map((p) => createsInFlight(p.handle)));
          const running = payouts.filter((_, i) => counts[i]! > 0);
          return running.length > 0 ? running : undefined;
        },
        { timeoutMs: 60_000, what: 'a transfer create in flight' },
      );
      await worker.stop('SIGKILL');
      worker = undefined;
      next = await startWorker();
      // Without a heartbeat timeout the retry would wait for the 3-minute start-to-close timeout (longer than this
      // test's patience); the history says which timeout ended the killed attempt.
      await assertPaidOnce(
        payouts,
        payouts.map((_, i) => 1_000 + i),
      );
      for (const p of inFlight) {
        const starts = await transferStarts(p.handle);
        const retried = starts.find((s) => (s.attempt ?? 1) > 1);
        assert.ok(retried, `the create of ${p.invoiceId} was retried`);
        assert.equal(
          retried.lastFailure?.timeoutFailureInfo?.timeoutType,
          TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
          `the killed attempt of ${p.invoiceId} ended on its heartbeat timeout`,
        );
      }
    } finally {
      stark.emulator.setFaults({ slowDelayMs: 3_000, rules: [] });
      await Promise.all([worker?.stop('SIGKILL'), next?.stop()]);
    }
  });
});
