import assert from 'node:assert/strict';
import { MalformedEventError, parseEvent, parseWebhookBody } from '../../src/events/schema';

const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const credited = {
  event: {
    id: '5813904772956160',
    subscription: 'invoice',
    workspaceId: '6010044957065216',
    created: '2024-02-29T05:00:12.051456+00:00',
    log: { id: '1', type: 'credited', invoice: { id: '5166945473134592', amount: 12345, fee: 45, status: 'paid' } },
  },
};

describe('parseWebhookBody', () => {
  it('reads a credited invoice event', () => {
    const event = parseWebhookBody(body(credited));
    assert.equal(event.kind, 'invoice');
    assert.ok(event.kind === 'invoice');
    assert.equal(event.log.type, 'credited');
    assert.deepEqual(event.log.invoice, { id: '5166945473134592', amount: 12345, fee: 45 });
    assert.equal(event.workspaceId, '6010044957065216');
  });

  it('reads a transfer event with its tags', () => {
    const event = parseWebhookBody(
      body({
        event: {
          id: '9',
          subscription: 'transfer',
          log: { id: '2', type: 'success', transfer: { id: '7', status: 'success', tags: ['payout-5'] } },
        },
      }),
    );
    assert.ok(event.kind === 'transfer');
    assert.equal(event.log.transfer.status, 'success');
    assert.deepEqual(event.log.transfer.tags, ['payout-5']);
  });

  it('accepts events of other subscriptions without knowing their logs', () => {
    const event = parseWebhookBody(body({ event: { id: '3', subscription: 'boleto', log: { anything: 1 } } }));
    assert.deepEqual(event, { kind: 'other', id: '3', subscription: 'boleto' });
    const withWorkspace = parseWebhookBody(
      body({ event: { id: '4', subscription: 'boleto', workspaceId: '77', log: {} } }),
    );
    assert.deepEqual(withWorkspace, { kind: 'other', id: '4', subscription: 'boleto', workspaceId: '77' });
  });

  it('gives a transfer event without tags an empty list of them', () => {
    const event = parseWebhookBody(
      body({
        event: {
          id: '9',
          subscription: 'transfer',
          log: { id: '2', type: 'created', transfer: { id: '7', status: 'created' } },
        },
      }),
    );
    assert.ok(event.kind === 'transfer');
    assert.deepEqual(event.log.transfer.tags, []);
  });

  it('takes only a whole number as an invoice id', () => {
    for (const id of ['abc123', '123abc', '12 3']) {
      const odd = structuredClone(credited);
      odd.event.log.invoice.id = id;
      assert.throws(() => parseWebhookBody(body(odd)), { message: /^event\.log\.invoice\.id: /u }, id);
    }
  });

  it('names where a body goes wrong, from its top', () => {
    const reason = (value: unknown) => {
      try {
        parseWebhookBody(body(value));
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    assert.match(reason(5), /^body: Invalid input: expected object/);
    assert.match(reason({ notAnEvent: true }), /^event: Invalid input: expected object/);
    assert.match(reason({ event: { subscription: 'invoice', log: {} } }), /^event\.id: Invalid input: expected string/);
    assert.match(
      reason({ event: { id: '1', subscription: 'transfer', log: { id: 'l', type: 'x', transfer: { id: 't' } } } }),
      /^event\.log\.transfer\.status: Invalid input: expected string/,
    );
    // An event the sweep reads from the API is named the same way.
    assert.throws(() => parseEvent({ subscription: 'invoice', log: {} }), { message: /^event\.id: Invalid input/ });
    assert.throws(() => parseEvent(5), { message: /^event: Invalid input: expected object/ });
  });

  it('rejects bad JSON, a missing envelope and mistyped amounts with a readable reason', () => {
    assert.throws(() => parseWebhookBody(body('{"event": ')), { name: 'MalformedEventError', message: /JSON/ });
    assert.throws(() => parseWebhookBody(body({ notAnEvent: true })), MalformedEventError);
    const fractional = structuredClone(credited);
    fractional.event.log.invoice.amount = 123.45;
    assert.throws(() => parseWebhookBody(body(fractional)), { message: /event\.log\.invoice\.amount/ });
    const noId = structuredClone(credited) as { event: Partial<typeof credited.event> };
    delete noId.event.id;
    assert.throws(() => parseWebhookBody(body(noId)), { message: /id/ });
  });
});
