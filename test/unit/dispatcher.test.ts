import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { createEventDispatcher } from '../../src/events/dispatch';
import { parseWebhookBody } from '../../src/events/schema';

/** A stand-in for the Temporal client: counts signalWithStart calls and fails the ones it is told to. */
function fakeClient(failures: number) {
  let calls = 0;
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
    },
  } as unknown as Client;
  return { client, calls: () => calls, release };
}

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

describe('event dispatcher: redeliveries', () => {
  it('hands concurrent and later copies of one event to Temporal once', async () => {
    const fake = fakeClient(0);
    const dispatcher = createEventDispatcher({ client: fake.client, taskQueue: 'q' });
    const pending = Promise.all([1, 2, 3].map(() => dispatcher.dispatch(credited('e1'))));
    fake.release();
    assert.deepEqual(await pending, ['payout-started-or-signaled', 'duplicate-delivery', 'duplicate-delivery']);
    assert.equal(await dispatcher.dispatch(credited('e1')), 'duplicate-delivery');
    assert.equal(await dispatcher.dispatch(credited('e2')), 'payout-started-or-signaled');
    assert.equal(fake.calls(), 2);
  });

  it('fails the copies of a failed hand-off too, and tries again on the next copy', async () => {
    const fake = fakeClient(1);
    const dispatcher = createEventDispatcher({ client: fake.client, taskQueue: 'q' });
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
    const dispatcher = createEventDispatcher({ client: fake.client, taskQueue: 'q', rememberedEvents: 0 });
    for (let i = 0; i < 3; i++) assert.equal(await dispatcher.dispatch(credited('e1')), 'payout-started-or-signaled');
    assert.equal(fake.calls(), 3);
  });

  it('forgets the oldest ids beyond its capacity', async () => {
    const fake = fakeClient(0);
    fake.release();
    const dispatcher = createEventDispatcher({ client: fake.client, taskQueue: 'q', rememberedEvents: 2 });
    for (const id of ['a', 'b', 'c']) await dispatcher.dispatch(credited(id));
    assert.equal(await dispatcher.dispatch(credited('c')), 'duplicate-delivery');
    assert.equal(await dispatcher.dispatch(credited('a')), 'payout-started-or-signaled');
    assert.equal(fake.calls(), 4);
  });
});
