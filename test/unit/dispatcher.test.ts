import assert from 'node:assert/strict';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createEventDispatcher, type DispatcherDeps } from '../../src/events/dispatch';
import { parseWebhookBody } from '../../src/events/schema';
import { RECORD_MEMO_KEY, type DecisionRecordState } from '../../src/workflows/decisionRecordDefinitions';

/**
 * A stand-in for the Temporal client: counts signalWithStart calls, keeps their options and the deadlines asked
 * for, and fails the ones it is told to; decision records are the ones given, opened cases and the signals sent to
 * running payouts are kept.
 */
function fakeClient(failures: number, records: Record<string, DecisionRecordState> = {}) {
  let calls = 0;
  let describes = 0;
  const openedCases: unknown[] = [];
  const started: Record<string, unknown>[] = [];
  const deadlines: number[] = [];
  const signals: { workflowId: string; args: unknown[] }[] = [];
  const fail: { start?: Error; signal?: Error } = {};
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const client = {
    connection: {
      withDeadline: <T>(deadline: number, fn: () => Promise<T>) => {
        deadlines.push(deadline);
        return fn();
      },
    },
    workflow: {
      async signalWithStart(workflowType: string, options: Record<string, unknown>) {
        const call = ++calls;
        started.push({ workflowType, ...options });
        await gate;
        if (fail.start) throw fail.start;
        if (call <= failures) throw new Error('temporal unavailable');
      },
      getHandle: (workflowId: string) => ({
        describe: () => {
          describes++;
          const record = records[workflowId];
          return record
            ? Promise.resolve({ memo: { [RECORD_MEMO_KEY]: record } })
            : Promise.reject(new WorkflowNotFoundError('not found', workflowId, undefined));
        },
        signal: (_signal: unknown, ...args: unknown[]) => {
          if (fail.signal) return Promise.reject(fail.signal);
          signals.push({ workflowId, args });
          return Promise.resolve();
        },
      }),
      executeUpdateWithStart: (_update: unknown, options: { args: unknown[] }) => {
        openedCases.push(options.args[0]);
        return Promise.resolve({});
      },
    },
  } as unknown as Client;
  return {
    client,
    calls: () => calls,
    describes: () => describes,
    release,
    openedCases,
    started,
    deadlines,
    signals,
    fail,
  };
}

/** The events below were credited on 2024-02-29; the namespace keeps workflows 7 days. */
const deps = (client: Client, extra: Partial<DispatcherDeps> = {}): DispatcherDeps => ({
  client,
  taskQueue: 'q',
  retentionMs: () => Promise.resolve(7 * 86_400_000),
  now: () => new Date('2024-03-01T00:00:00Z'),
  ...extra,
});

const credited = (id: string) =>
  parseWebhookBody(
    Buffer.from(
      JSON.stringify({
        event: {
          id,
          subscription: 'invoice',
          workspaceId: '6010044957065216',
          created: '2024-02-29T05:00:12.051456+00:00',
          log: { id: '1', type: 'credited', invoice: { id: '5166945473134592', amount: 12345, fee: 45 } },
        },
      }),
    ),
  );

describe('event dispatcher', () => {
  it('hands concurrent and later copies of one event to Temporal once', async () => {
    const fake = fakeClient(0);
    const dispatcher = createEventDispatcher(deps(fake.client));
    const pending = Promise.all([1, 2, 3].map(() => dispatcher.dispatch(credited('e1'))));
    fake.release();
    assert.deepEqual(await pending, ['payout-started-or-signaled', 'duplicate-delivery', 'duplicate-delivery']);
    assert.equal(await dispatcher.dispatch(credited('e1')), 'duplicate-delivery');
    assert.equal(await dispatcher.dispatch(credited('e2')), 'payout-started-or-signaled');
    assert.equal(fake.calls(), 2);
  });

  it('fails the copies of a failed hand-off too, and tries again on the next copy', async () => {
    const fake = fakeClient(1);
    const dispatcher = createEventDispatcher(deps(fake.client));
    const pending = Promise.allSettled([1, 2].map(() => dispatcher.dispatch(credited('e1'))));
    fake.release();
    assert.deepEqual(
      (await pending).map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-started-or-signaled');
    assert.equal(fake.calls(), 2);
  });

  it('remembers nothing when told to', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client, { rememberedEvents: 0 }));
    for (let i = 0; i < 3; i++) assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-started-or-signaled');
    assert.equal(fake.calls(), 3);
  });

  it('forgets the oldest ids beyond its capacity', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client, { rememberedEvents: 2 }));
    for (const id of ['a', 'b', 'c']) await dispatcher.dispatch(credited(id));
    assert.equal(await dispatcher.dispatch(credited('c')), 'duplicate-delivery');
    assert.equal(await dispatcher.dispatch(credited('a')), 'payout-started-or-signaled');
    assert.equal(fake.calls(), 4);
  });

  it('acknowledges events of another workspace and starts nothing', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client, { workspaceId: '999' }));
    assert.equal(await dispatcher.dispatch(credited('e1')), 'other-workspace');
    assert.equal(fake.calls(), 0);
  });

  it('starts no payout for a credit older than the retention, and opens a case for a person instead', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client, { now: () => new Date('2024-03-08T00:00:00Z') }));
    assert.equal(await dispatcher.dispatch(credited('e1')), 'credit-too-old');
    assert.equal(fake.calls(), 0);
    assert.deepEqual(
      fake.openedCases.map((c) => (c as { kind: string }).kind),
      ['credit-older-than-retention'],
    );
  });

  it('starts or signals the payout of the invoice, found by invoice id and status, with what the event said', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client, { temporalTimeoutMs: 4_000 }));
    const before = Date.now();
    assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-started-or-signaled');
    const after = Date.now();
    assert.equal(fake.started.length, 1);
    const { typedSearchAttributes, signal, ...options } = fake.started[0]!;
    assert.equal((signal as { name: string }).name, 'invoiceCredited');
    assert.deepEqual(options, {
      workflowType: 'payout',
      workflowId: 'payout-5166945473134592',
      taskQueue: 'q',
      args: [{ invoiceId: '5166945473134592' }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
      signalArgs: [{ eventId: 'e1', amount: 12345, fee: 45, workspaceId: '6010044957065216' }],
      staticSummary: 'Payout of credited invoice 5166945473134592',
    });
    assert.deepEqual(
      (typedSearchAttributes as { key: { name: string }; value: unknown }[]).map((a) => [a.key.name, a.value]),
      [
        ['InvoiceId', '5166945473134592'],
        ['PayoutStatus', 'Received'],
      ],
    );
    // One Temporal call, bounded, so a down cluster answers the webhook in time for Stark Bank to retry.
    assert.equal(fake.deadlines.length, 1);
    for (const d of fake.deadlines) assert.ok(d >= before + 4_000 && d <= after + 4_000, `deadline ${d - before}`);
  });

  it('answers an event of a payout that already closed as already processed, and fails on anything else', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client));
    fake.fail.start = new WorkflowExecutionAlreadyStartedError('closed', 'payout-5166945473134592', 'payout');
    assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-already-closed');
    fake.fail.start = new Error('14 UNAVAILABLE');
    await assert.rejects(dispatcher.dispatch(credited('e2')), /UNAVAILABLE/);
  });

  it('counts the retention margin: a credit an hour short of the retention is already too old', async () => {
    const hour = 3_600_000;
    const creditedAt = Date.parse('2024-02-29T05:00:12.051Z');
    const at = (ms: number) => () => new Date(creditedAt + ms);
    const outcome = async (now: () => Date) => {
      const fake = fakeClient(0);
      fake.release();
      return { outcome: await createEventDispatcher(deps(fake.client, { now })).dispatch(credited('e1')), fake };
    };
    const week = 7 * 86_400_000;
    assert.equal((await outcome(at(week - hour - 1))).outcome, 'payout-started-or-signaled');
    const tooOld = await outcome(at(week - hour));
    assert.equal(tooOld.outcome, 'credit-too-old');
    assert.deepEqual(tooOld.fake.openedCases, [
      {
        kind: 'credit-older-than-retention',
        reason:
          'credited 2024-02-29T05:00:12.051456+00:00, older than the 7 days Temporal keeps payouts: an earlier ' +
          'payout may be gone, so only an operator can start this one (ops payouts restart)',
      },
    ]);
  });

  it('hands an event without a workspace, or from its own, to Temporal; ignores credits it does not pay', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client, { workspaceId: '6010044957065216' }));
    assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-started-or-signaled');
    const anonymous = credited('e2');
    delete anonymous.workspaceId;
    assert.equal(await dispatcher.dispatch(anonymous), 'payout-started-or-signaled');
    const paid = credited('e3');
    assert.ok(paid.kind === 'invoice');
    assert.equal(await dispatcher.dispatch({ ...paid, log: { ...paid.log, type: 'paid' } }), 'ignored');
    assert.equal(fake.calls(), 2);
  });

  it('signals the payout of a transfer that reached a final status, and only then', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client));
    const transfer = (id: string, status: string, tags = ['payout', 'payout-42']) =>
      parseWebhookBody(
        Buffer.from(
          JSON.stringify({
            event: {
              id,
              subscription: 'transfer',
              log: { id: 'l', type: status, transfer: { id: 't1', status, tags } },
            },
          }),
        ),
      );
    assert.equal(await dispatcher.dispatch(transfer('e1', 'success')), 'transfer-signaled');
    assert.equal(await dispatcher.dispatch(transfer('e2', 'failed')), 'transfer-signaled');
    assert.equal(await dispatcher.dispatch(transfer('e2c', 'canceled')), 'transfer-signaled');
    assert.equal(await dispatcher.dispatch(transfer('e3', 'processing')), 'transfer-progress-ignored');
    assert.equal(await dispatcher.dispatch(transfer('e3c', 'created')), 'transfer-progress-ignored');
    assert.equal(await dispatcher.dispatch(transfer('e4', 'success', ['someone-else'])), 'transfer-not-ours');
    assert.deepEqual(fake.signals, [
      { workflowId: 'payout-42', args: [{ eventId: 'e1', transferId: 't1', status: 'success' }] },
      { workflowId: 'payout-42', args: [{ eventId: 'e2', transferId: 't1', status: 'failed' }] },
      { workflowId: 'payout-42', args: [{ eventId: 'e2c', transferId: 't1', status: 'canceled' }] },
    ]);
    fake.fail.signal = new WorkflowNotFoundError('closed', 'payout-42', undefined);
    assert.equal(await dispatcher.dispatch(transfer('e5', 'success')), 'payout-not-running');
    fake.fail.signal = new Error('14 UNAVAILABLE');
    await assert.rejects(dispatcher.dispatch(transfer('e6', 'success')), /UNAVAILABLE/);
  });

  it('keeps a later hand-off of an event when an earlier one it forgot fails late', async () => {
    const fake = fakeClient(1);
    const dispatcher = createEventDispatcher(deps(fake.client, { rememberedEvents: 1 }));
    const first = dispatcher.dispatch(credited('e1')); // will fail
    const other = dispatcher.dispatch(credited('e2')); // pushes e1 out of memory
    const second = dispatcher.dispatch(credited('e1')); // a new hand-off of e1, will succeed
    fake.release();
    await assert.rejects(first);
    assert.equal(await other, 'payout-started-or-signaled');
    assert.equal(await second, 'payout-started-or-signaled');
    assert.equal(await dispatcher.dispatch(credited('e1')), 'duplicate-delivery');
    assert.equal(fake.calls(), 3);
  });

  it('hands over a credited event with one Temporal call, even for a rejected invoice: the payout honours its record', async () => {
    const entry = {
      id: 'r1',
      action: 'reject' as const,
      operator: 'ana',
      at: '2024-02-29T06:00:00Z',
      payoutStatus: 'AwaitingApproval',
    };
    const fake = fakeClient(0, {
      'decisions-5166945473134592': { invoiceId: '5166945473134592', entries: [entry], rejected: entry, openCases: [] },
    });
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client));
    assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-started-or-signaled');
    assert.deepEqual([fake.calls(), fake.describes()], [1, 0]);
  });
});
