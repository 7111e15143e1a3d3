import assert from 'node:assert/strict';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createEventDispatcher, type DispatcherDeps } from '../../src/events/dispatch';
import { parseWebhookBody } from '../../src/events/schema';
import { RECORD_MEMO_KEY, type DecisionRecordState } from '../../src/workflows/decisionRecordDefinitions';

/**
 * A stand-in for the Temporal client: counts signalWithStart calls and fails the ones it is told to; decision
 * records are the ones given, and opened cases are kept.
 */
function fakeClient(failures: number, records: Record<string, DecisionRecordState> = {}) {
  let calls = 0;
  const openedCases: unknown[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const client = {
    connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
    workflow: {
      async signalWithStart() {
        calls++;
        await gate;
        if (calls <= failures) throw new Error('temporal unavailable');
      },
      getHandle: (workflowId: string) => ({
        describe: () => {
          const record = records[workflowId];
          return record
            ? Promise.resolve({ memo: { [RECORD_MEMO_KEY]: record } })
            : Promise.reject(new WorkflowNotFoundError('not found', workflowId, undefined));
        },
      }),
      executeUpdateWithStart: (_update: unknown, options: { args: unknown[] }) => {
        openedCases.push(options.args[0]);
        return Promise.resolve({});
      },
    },
  } as unknown as Client;
  return { client, calls: () => calls, release, openedCases };
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

  it('never starts the payout of an invoice an operator rejected', async () => {
    const entry = {
      id: 'r1',
      action: 'reject' as const,
      operator: 'ana',
      at: '2024-02-29T06:00:00Z',
      payoutStatus: 'AwaitingApproval',
    };
    const fake = fakeClient(0, {
      'decisions-5166945473134592': { invoiceId: '5166945473134592', entries: [entry], rejected: entry },
    });
    fake.release();
    const dispatcher = createEventDispatcher(deps(fake.client));
    assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-rejected');
    assert.equal(fake.calls(), 0);
  });
});
