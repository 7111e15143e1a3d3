import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import type { EventDispatcher } from '../../src/events/dispatch';
import type { DispatchOutcome } from '../../src/domain/types';
import type { ParsedEvent } from '../../src/events/schema';
import { registry } from '../../src/observability/metrics';
import { installTracing, type Tracing } from '../../src/observability/tracing';
import { createWebhookApp } from '../../src/webhook/app';
import { createSignatureVerifier } from '../../src/webhook/signature';

const stark = crypto.generateKeyPairSync('ec', {
  namedCurve: 'secp256k1',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
});
const sign = (body: string) =>
  crypto.sign('sha256', Buffer.from(body), { key: stark.privateKey, dsaEncoding: 'der' }).toString('base64');

const event = (subscription: string, log: Record<string, unknown>) =>
  JSON.stringify({ event: { id: `e-${crypto.randomUUID()}`, subscription, log } });
const credited = event('invoice', { id: 'l1', type: 'credited', invoice: { id: '5166945473134592', amount: 12_345 } });

interface Answer {
  status: number;
  json: Record<string, unknown>;
  headers: Headers;
}

/**
 * The webhook app with the real signature verifier and a dispatcher that answers (or throws) what each test says,
 * on a free loopback port; its log lines are kept so tests can read what it logged.
 */
async function withApp(
  options: {
    dispatch?: (e: ParsedEvent) => Promise<DispatchOutcome>;
    fetchPublicKey?: () => Promise<string>;
    /** What the server runs in front of the app, for requests no client can make. */
    serve?: (app: RequestListener) => RequestListener;
  },
  fn: (ctx: { post: (body: string, headers?: Record<string, string>) => Promise<Answer>; url: string }) => unknown,
  logs: Record<string, unknown>[] = [],
  dispatched: ParsedEvent[] = [],
) {
  const dispatcher: EventDispatcher = {
    dispatch: (e) => {
      dispatched.push(e);
      return options.dispatch?.(e) ?? Promise.resolve('payout-started-or-signaled');
    },
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const app = createWebhookApp({
    verifier: createSignatureVerifier({
      fetchPublicKey: options.fetchPublicKey ?? (() => Promise.resolve(stark.publicKey)),
    }),
    dispatcher,
    logger: pino({ level: 'info' }, sink),
    maxBodyBytes: 1_024,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = createServer(options.serve?.(app) ?? app).listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (body: string, headers: Record<string, string> = { 'Digital-Signature': sign(body) }) => {
    // The path Stark Bank's webhook subscription is registered with.
    const res = await fetch(`${url}/webhook/starkbank`, { method: 'POST', body, headers });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
  };
  try {
    await fn({ post, url });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** How many webhook requests the latency histogram has observed. */
async function requestsTimed(): Promise<number> {
  const metric = await registry.getSingleMetric('webhook_request_duration_seconds')?.get();
  const count = metric?.values.find(
    (v) => (v as { metricName?: string }).metricName === 'webhook_request_duration_seconds_count',
  );
  return count?.value ?? 0;
}

/** The value of one counter series, as the admin port would expose it. */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return match?.value ?? 0;
}

describe('webhook app', () => {
  it('answers 200 with the outcome of a verified event, and logs its ids, never its body', async () => {
    const logs: Record<string, unknown>[] = [];
    const dispatched: ParsedEvent[] = [];
    const requests = await counter('webhook_requests_total', { outcome: 'payout-started-or-signaled' });
    const events = await counter('webhook_events_total', { subscription: 'invoice', type: 'credited' });
    const timed = await requestsTimed();
    await withApp(
      {},
      async ({ post }) => {
        const answer = await post(credited);
        assert.equal(answer.status, 200);
        const { id } = (JSON.parse(credited) as { event: { id: string } }).event;
        assert.deepEqual(answer.json, { eventId: id, outcome: 'payout-started-or-signaled' });
        assert.equal(dispatched.length, 1);
        assert.equal(dispatched[0]!.id, id);
        const handled = logs.find((l) => l.msg === 'webhook event handled');
        assert.deepEqual(
          { eventId: handled?.eventId, invoiceId: handled?.invoiceId, workflowId: handled?.workflowId },
          { eventId: id, invoiceId: '5166945473134592', workflowId: 'payout-5166945473134592' },
        );
        assert.equal(handled?.outcome, 'payout-started-or-signaled');
        assert.doesNotMatch(JSON.stringify(logs), /12345/, 'no amount or other body content in the logs');
      },
      logs,
      dispatched,
    );
    assert.equal(await counter('webhook_requests_total', { outcome: 'payout-started-or-signaled' }), requests + 1);
    assert.equal(await counter('webhook_events_total', { subscription: 'invoice', type: 'credited' }), events + 1);
    assert.equal(await requestsTimed(), timed + 1, 'its latency was observed');
  });

  it('logs the transfer of a transfer event, and counts other subscriptions as such', async () => {
    const logs: Record<string, unknown>[] = [];
    const other = await counter('webhook_events_total', { subscription: 'boleto', type: 'other' });
    const progress = await counter('webhook_events_total', { subscription: 'transfer', type: 'processing' });
    await withApp(
      { dispatch: () => Promise.resolve('ignored') },
      async ({ post }) => {
        const transfer = event('transfer', {
          id: 'l2',
          type: 'processing',
          transfer: { id: '77', status: 'processing' },
        });
        assert.equal((await post(transfer)).json.outcome, 'ignored');
        assert.equal((await post(event('boleto', { id: 'l3' }))).status, 200);
      },
      logs,
    );
    const handled = logs.filter((l) => l.msg === 'webhook event handled');
    assert.equal(handled[0]?.transferId, '77');
    assert.equal(handled[0]?.invoiceId, undefined);
    assert.deepEqual(
      Object.keys(handled[1]!).filter((k) => k.endsWith('Id')),
      ['eventId'],
    );
    assert.equal(await counter('webhook_events_total', { subscription: 'boleto', type: 'other' }), other + 1);
    assert.equal(await counter('webhook_events_total', { subscription: 'transfer', type: 'processing' }), progress + 1);
  });

  it('answers 401, handing nothing over, to a missing or wrong signature', async () => {
    const logs: Record<string, unknown>[] = [];
    const dispatched: ParsedEvent[] = [];
    const failures = await counter('webhook_signature_failures_total', {});
    const bad = await counter('webhook_requests_total', { outcome: 'bad-signature' });
    await withApp(
      {},
      async ({ post }) => {
        assert.deepEqual(await post(credited, {}).then((a) => [a.status, a.json]), [
          401,
          { error: 'missing Digital-Signature header' },
        ]);
        const forged = await post(credited, { 'Digital-Signature': sign(credited.replace('12345', '99999')) });
        assert.deepEqual([forged.status, forged.json], [401, { error: 'invalid signature' }]);
      },
      logs,
      dispatched,
    );
    assert.deepEqual(dispatched, []);
    assert.deepEqual(
      logs.filter((l) => l.msg === 'webhook signature rejected').map((l) => [l.level, l.signed, l.bytes]),
      [
        [40, false, credited.length],
        [40, true, credited.length],
      ],
    );
    assert.equal(await counter('webhook_signature_failures_total', {}), failures + 2);
    assert.equal(await counter('webhook_requests_total', { outcome: 'bad-signature' }), bad + 2);
  });

  it('answers 400 to a signed body that is not a Stark Bank event', async () => {
    const dispatched: ParsedEvent[] = [];
    const malformed = await counter('webhook_requests_total', { outcome: 'malformed' });
    await withApp(
      {},
      async ({ post }) => {
        assert.deepEqual(await post('{"event": ').then((a) => [a.status, a.json]), [
          400,
          { error: 'body is not valid JSON' },
        ]);
        assert.equal((await post('{"hello": 1}')).status, 400);
      },
      [],
      dispatched,
    );
    assert.deepEqual(dispatched, []);
    assert.equal(await counter('webhook_requests_total', { outcome: 'malformed' }), malformed + 2);
  });

  it('answers 413 to a body over the limit and 4xx to a request it cannot read, before verifying anything', async () => {
    let fetched = 0;
    const fetchPublicKey = () => {
      fetched++;
      return Promise.resolve(stark.publicKey);
    };
    const tooLarge = await counter('webhook_requests_total', { outcome: 'too-large' });
    const badRequest = await counter('webhook_requests_total', { outcome: 'bad-request' });
    await withApp({ fetchPublicKey }, async ({ post }) => {
      const big = event('boleto', { id: 'l4', padding: 'x'.repeat(1_024) });
      assert.deepEqual(await post(big).then((a) => [a.status, a.json]), [
        413,
        { error: 'body larger than 1024 bytes' },
      ]);
      const unreadable = await post(credited, { 'Digital-Signature': sign(credited), 'Content-Encoding': 'br2' });
      assert.deepEqual([unreadable.status, unreadable.json], [415, { error: 'bad request' }]);
      const corrupt = await post(credited, { 'Digital-Signature': sign(credited), 'Content-Encoding': 'gzip' });
      assert.deepEqual([corrupt.status, corrupt.json], [400, { error: 'bad request' }]);
    });
    assert.equal(fetched, 0);
    assert.equal(await counter('webhook_requests_total', { outcome: 'too-large' }), tooLarge + 1);
    assert.equal(await counter('webhook_requests_total', { outcome: 'bad-request' }), badRequest + 2);
  });

  it('answers 500 to a failure it did not expect, such as a server error reading the body, and logs it', async () => {
    const logs: Record<string, unknown>[] = [];
    const dispatched: ParsedEvent[] = [];
    const internal = await counter('webhook_requests_total', { outcome: 'internal-error' });
    await withApp(
      // A text decoder set on the request makes the body reader fail with 500: no client can cause that.
      { serve: (app) => (req, res) => app(req.setEncoding('utf8'), res) },
      async ({ post }) => {
        assert.deepEqual(await post(credited).then((a) => [a.status, a.json]), [500, { error: 'internal error' }]);
      },
      logs,
      dispatched,
    );
    assert.deepEqual(dispatched, []);
    assert.deepEqual(
      logs.filter((l) => l.level === 50).map((l) => [l.msg, l.err]),
      [['webhook: unexpected error', 'stream encoding should not be set']],
    );
    assert.equal(await counter('webhook_requests_total', { outcome: 'internal-error' }), internal + 1);
  });

  it('answers 503 with Retry-After when Temporal cannot take the event or the key cannot be had', async () => {
    const logs: Record<string, unknown>[] = [];
    const unavailable = await counter('webhook_requests_total', { outcome: 'unavailable' });
    await withApp(
      { dispatch: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')) },
      async ({ post }) => {
        const down = await post(credited);
        assert.deepEqual([down.status, down.json], [503, { error: 'temporal unavailable' }]);
        assert.equal(down.headers.get('retry-after'), '30');
      },
      logs,
    );
    await withApp(
      { fetchPublicKey: () => Promise.reject(new Error('key endpoint down')) },
      async ({ post }) => {
        const noKey = await post(credited);
        assert.deepEqual([noKey.status, noKey.json], [503, { error: 'signature verification unavailable' }]);
        assert.equal(noKey.headers.get('retry-after'), '30');
      },
      logs,
    );
    assert.deepEqual(
      logs.filter((l) => l.level === 50).map((l) => [l.msg, l.err]),
      [
        ['webhook: temporal unavailable', '14 UNAVAILABLE: connection refused'],
        ['webhook: signature verification unavailable', "cannot load Stark Bank's public key: key endpoint down"],
      ],
    );
    assert.equal(await counter('webhook_requests_total', { outcome: 'unavailable' }), unavailable + 2);
  });

  it('answers health checks, and does not name its framework', async () => {
    await withApp({}, async ({ url }) => {
      const res = await fetch(`${url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
      assert.equal(res.headers.get('x-powered-by'), null);
    });
  });
});

describe('webhook app: its span, the root of a payout trace', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  before(() => {
    tracing = installTracing({}, 'webhook-app-test', new SimpleSpanProcessor(exporter));
  });
  after(() => tracing.shutdown());

  it('names the request, carries the event ids and outcome, and marks only a 5xx answer an error', async () => {
    exporter.reset();
    await withApp({}, async ({ post }) => assert.equal((await post(credited)).status, 200));
    await withApp({ dispatch: () => Promise.reject(new Error('14 UNAVAILABLE')) }, async ({ post }) =>
      assert.equal((await post(credited)).status, 503),
    );
    await withApp({}, async ({ post }) => assert.equal((await post(credited, {})).status, 401));
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.kind, s.status.code, s.attributes['http.response.status_code']]),
      [
        ['POST /webhook/starkbank', SpanKind.SERVER, SpanStatusCode.UNSET, 200],
        ['POST /webhook/starkbank', SpanKind.SERVER, SpanStatusCode.ERROR, 503],
        ['POST /webhook/starkbank', SpanKind.SERVER, SpanStatusCode.UNSET, 401],
      ],
    );
    const { 'http.response.status_code': _status, ...ids } = spans[0]!.attributes;
    assert.deepEqual(ids, {
      'stark.event_id': (JSON.parse(credited) as { event: { id: string } }).event.id,
      'stark.subscription': 'invoice',
      'stark.log_type': 'credited',
      invoiceId: '5166945473134592',
      workflowId: 'payout-5166945473134592',
      outcome: 'payout-started-or-signaled',
    });
    assert.equal(spans[0]!.parentSpanId, undefined, 'the webhook request starts the trace');
  });
});
