import { serviceEnv } from '../../../testkit/serviceEnv';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { payoutWorkflowId } from '../../../src/domain/payoutIds';
import type { PayoutState } from '../../../src/workflows/payoutDefinitions';
import { createInvoice, transfersOf, withPayoutWorker, type PayoutContext } from '../../helpers/payouts';
import { generateProjectKeys } from '../../../testkit/emulator';
import { useTestEmulator } from '../../helpers/emulator';
import { getTestEnv, uniqueId } from '../../helpers/temporal';
import { loadConfig } from '../../../src/config';
import { startWebhook } from '../../../src/webhook';
import { WEBHOOK_PATH } from '../../../src/webhook/app';
import { postWebhook, signBody, startTestWebhook, type TestWebhook } from '../../helpers/webhookServer';

/** A webhook body in Stark Bank's style: one line, sorted keys, Python separators. */
function eventBody(event: Record<string, unknown>): Buffer {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sortKeys(x)]),
          )
        : v;
  return Buffer.from(JSON.stringify(sortKeys({ event })).replace(/":/g, '": ').replace(/,"/g, ', "'));
}

function invoiceEvent(invoiceId: string, type: string, amount = 10_000, fee = 0) {
  return {
    id: String(Math.floor(Math.random() * 1e16)),
    created: new Date().toISOString(),
    subscription: 'invoice',
    workspaceId: '6010044957065216',
    log: { id: randomUUID(), type, errors: [], invoice: { id: invoiceId, amount, fee, status: 'paid', tags: [] } },
  };
}

describe('webhook (real HTTP, real verifier, real dev server)', function () {
  this.timeout(60_000);
  const starkKeys = generateProjectKeys();
  const stark = useTestEmulator({
    eventPrivateKeyPem: starkKeys.privateKeyPem,
    behaviour: { timeScale: 0.01, payShare: 0 },
  });

  async function withWebhook(fn: (hook: TestWebhook, ctx: PayoutContext) => Promise<void>, maxBodyBytes?: number) {
    await withPayoutWorker(stark, async (ctx) => {
      const hook = await startTestWebhook({
        user: stark.user,
        client: ctx.client,
        taskQueue: ctx.taskQueue,
        maxBodyBytes,
      });
      try {
        await fn(hook, ctx);
      } finally {
        await hook.close();
      }
    });
  }

  const signed = (body: Buffer) => ({ 'Digital-Signature': signBody(starkKeys.privateKeyPem, body) });

  async function assertNoPayout(client: Client, invoiceId: string) {
    await assert.rejects(client.workflow.getHandle(payoutWorkflowId(invoiceId)).describe(), WorkflowNotFoundError);
  }

  it('starts one payout for a credited invoice, however many times and however concurrently it arrives', async () => {
    await withWebhook(async (hook, ctx) => {
      const invoiceId = await createInvoice(stark.user, 10_000);
      stark.emulator.payInvoice(invoiceId);
      const body = eventBody(invoiceEvent(invoiceId, 'credited'));
      const responses = await Promise.all(Array.from({ length: 20 }, () => postWebhook(hook.url, body, signed(body))));
      assert.deepEqual(
        responses.map((r) => r.status),
        Array(20).fill(200),
      );
      // Concurrent copies share the first one's hand-off: one signal reaches the payout, not twenty.
      const outcomes = responses.map((r) => (r.json as { outcome: string }).outcome).sort();
      assert.deepEqual(
        outcomes,
        ['payout-started-or-signaled', ...Array<string>(19).fill('duplicate-delivery')].sort(),
      );
      const handle = ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId));
      const result = (await handle.result()) as PayoutState;
      assert.equal(result.status, 'Succeeded');
      assert.equal(result.eventIds.length, 1);
      const { events } = await handle.fetchHistory();
      assert.equal(
        events?.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'invoiceCredited').length,
        1,
      );
      assert.equal((await transfersOf(stark.user, invoiceId)).length, 1);
      const late = await postWebhook(hook.url, body, signed(body));
      assert.deepEqual([late.status, (late.json as { outcome: string }).outcome], [200, 'duplicate-delivery']);
    });
  });

  it('rejects forged, tampered, unsigned, malformed, oversized and mistyped requests, starting nothing', async () => {
    await withWebhook(async (hook, ctx) => {
      const invoiceId = String(Math.floor(1e15 + Math.random() * 9e15));
      const body = eventBody(invoiceEvent(invoiceId, 'credited'));
      const tampered = Buffer.from(body);
      tampered[tampered.indexOf('10000')] = '2'.charCodeAt(0);
      const otherKey = generateProjectKeys().privateKeyPem;
      const notJson = Buffer.from('{"event": {"id": ');
      const wrongSchema = eventBody({
        ...invoiceEvent(invoiceId, 'credited'),
        log: { type: 'credited', invoice: { id: invoiceId, amount: '100' } },
      });
      const huge = eventBody({ ...invoiceEvent(invoiceId, 'credited'), padding: 'x'.repeat(10_000) });

      const cases: [string, Buffer, Record<string, string>, number][] = [
        ['signed by another key', body, { 'Digital-Signature': signBody(otherKey, body) }, 401],
        ['one byte changed', tampered, signed(body), 401],
        ['no signature header', body, {}, 401],
        ['garbage signature', body, { 'Digital-Signature': 'not-base64!!' }, 401],
        ['malformed JSON, validly signed', notJson, signed(notJson), 400],
        ['wrong schema, validly signed', wrongSchema, signed(wrongSchema), 400],
        ['oversized body', huge, signed(huge), 413],
      ];
      for (const [name, payload, headers, expected] of cases) {
        const res = await postWebhook(hook.url, payload, headers);
        assert.equal(res.status, expected, `${name}: ${JSON.stringify(res.json)}`);
        assert.ok((res.json as { error?: string }).error, `${name}: says why`);
      }
      await assertNoPayout(ctx.client, invoiceId);
    }, 4 * 1024);
  });

  it('acknowledges created and paid invoice events and other subscriptions without starting anything', async () => {
    await withWebhook(async (hook, ctx) => {
      const invoiceId = String(Math.floor(1e15 + Math.random() * 9e15));
      for (const type of ['created', 'paid', 'overdue']) {
        const body = eventBody(invoiceEvent(invoiceId, type));
        const res = await postWebhook(hook.url, body, signed(body));
        assert.deepEqual([res.status, (res.json as { outcome: string }).outcome], [200, 'ignored']);
      }
      const boleto = eventBody({ id: '1', subscription: 'boleto', log: { type: 'paid', boleto: {} } });
      assert.equal((await postWebhook(hook.url, boleto, signed(boleto))).status, 200);
      await assertNoPayout(ctx.client, invoiceId);
    });
  });

  it('acknowledges transfer events for payouts that are not running, transfers not ours and progress events', async () => {
    await withWebhook(async (hook) => {
      const transfer = (tags: string[], status = 'success') =>
        eventBody({
          id: randomUUID(),
          subscription: 'transfer',
          log: {
            id: '1',
            type: status,
            transfer: { id: '77', status, tags, externalId: tags[1] ?? null },
          },
        });
      const stale = transfer(['payout', 'payout-1234567890123456']);
      const foreign = transfer(['salary']);
      // Not final: answered without a Temporal call (a signal would have found no payout: 'payout-not-running').
      const progress = transfer(['payout', 'payout-1234567890123456'], 'processing');
      const a = await postWebhook(hook.url, stale, signed(stale));
      const b = await postWebhook(hook.url, foreign, signed(foreign));
      const c = await postWebhook(hook.url, progress, signed(progress));
      assert.deepEqual([a.status, (a.json as { outcome: string }).outcome], [200, 'payout-not-running']);
      assert.deepEqual([b.status, (b.json as { outcome: string }).outcome], [200, 'transfer-not-ours']);
      assert.deepEqual([c.status, (c.json as { outcome: string }).outcome], [200, 'transfer-progress-ignored']);
    });
  });

  it('answers 503 when Temporal is unreachable, so Stark Bank delivers again', async () => {
    const env = await getTestEnv();
    // Nothing listens on port 1: a real, unreachable Temporal.
    const down = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const hook = await startTestWebhook({ user: stark.user, client: down, taskQueue: 'unused' });
    try {
      const invoiceId = String(Math.floor(1e15 + Math.random() * 9e15));
      const body = eventBody(invoiceEvent(invoiceId, 'credited'));
      const res = await postWebhook(hook.url, body, signed(body));
      assert.equal(res.status, 503);
      await assertNoPayout(env.client, invoiceId);
    } finally {
      await hook.close();
    }
  });

  it('answers 503 while the Stark Bank public key cannot be fetched; readiness names it on the admin port only', async () => {
    const env = await getTestEnv();
    // The real entry point's server, for a project the bank does not know: its public key cannot be fetched.
    const hook = await startWebhook(
      loadConfig(
        serviceEnv(
          stark,
          { address: env.address, taskQueue: uniqueId('readiness') },
          { TEMPORAL_CONFIG_FILE: '/nonexistent', STARK_PROJECT_ID: '1111111111111111' },
        ),
      ),
    );
    try {
      const body = eventBody(invoiceEvent('1', 'credited'));
      assert.equal((await postWebhook(hook.url, body, signed(body))).status, 503);
      const ready = await fetch(`${hook.adminUrl}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'not ready', down: ['stark-bank-public-key'] });
      assert.equal((await fetch(`${hook.adminUrl}/healthz`)).status, 200);
      assert.match(await (await fetch(`${hook.adminUrl}/metrics`)).text(), /webhook_requests_total/);
      assert.match(hook.adminUrl, /^http:\/\/127\.0\.0\.1:\d+$/, 'the admin port is on the loopback');

      // The public port answers the webhook and a liveness probe, nothing else.
      const publicBase = hook.url.replace(WEBHOOK_PATH, '');
      assert.equal((await fetch(`${publicBase}/healthz`)).status, 200);
      for (const path of ['/readyz', '/metrics', '/codec/decode']) {
        assert.equal((await fetch(`${publicBase}${path}`)).status, 404, path);
      }
    } finally {
      await hook.close();
    }
  });
});
