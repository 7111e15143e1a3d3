import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { payoutWorkflowId } from '../../../src/domain/payoutIds';
import { badRequests, creditedEventBody, mapPool, sendRequest } from '../../../testkit/badRequests';
import { generateProjectKeys, startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { eventually, getTestEnv, uniqueId } from '../../helpers/temporal';
import { signBody, startTestWebhook, type TestWebhook } from '../../helpers/webhookServer';

const BAD = 1_050;
const VALID_EVERY = 25; // one valid event between every 25 bad ones
const MAX_BODY = 8 * 1024; // small limit: oversized bodies stay cheap to send

describe('faults: forged and malformed webhook requests (real app, real dev server)', function () {
  this.timeout(60_000);
  const starkKeys = generateProjectKeys();
  let stark: TestEmulator;
  let hook: TestWebhook;
  const taskQueue = uniqueId('faults');

  before(async () => {
    stark = await startTestEmulator({ seed: randomUUID(), eventPrivateKeyPem: starkKeys.privateKeyPem });
    const env = await getTestEnv();
    // No worker on this task queue: a started payout stays Running, so a leak is visible and moves no money.
    hook = await startTestWebhook({ user: stark.user, client: env.client, taskQueue, maxBodyBytes: MAX_BODY });
  });
  after(async () => {
    await hook?.close();
    await stark?.close();
  });

  it(`answers ${BAD} bad requests with the right 4xx, starts no payout for them, and still serves valid events`, async () => {
    const { client } = await getTestEnv();
    const prefix = `9${randomInt(1e6, 9e6)}`;
    const bad = badRequests({
      count: BAD,
      starkPrivateKeyPem: starkKeys.privateKeyPem,
      maxBodyBytes: MAX_BODY,
      idPrefix: prefix,
      trickles: 6,
    });
    // Interleave valid credited events (their own ids) so the webhook is shown to keep working under abuse.
    const validIds: string[] = [];
    const mixed = bad.flatMap((req, i) => {
      if (i % VALID_EVERY !== 0) return [req];
      const invoiceId = `8${prefix}${String(i).padStart(5, '0')}`;
      validIds.push(invoiceId);
      const body = creditedEventBody(invoiceId);
      const headers = {
        'content-type': 'application/json',
        'Digital-Signature': signBody(starkKeys.privateKeyPem, body),
      };
      return [{ kind: 'valid', expected: 200, invoiceId, body, headers }, req];
    });

    const statuses = await mapPool(mixed, 16, (req) => sendRequest(hook.url, req));

    const wrong = mixed
      .map((req, i) => ({ kind: req.kind, expected: req.expected, got: statuses[i] }))
      .filter((r) => r.got !== r.expected);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} requests got the wrong status`);
    const byStatus = (s: number) => mixed.filter((r) => r.expected === s).length;
    assert.ok(byStatus(401) > 400 && byStatus(400) > 300 && byStatus(413) > 100, 'every kind of bad request was sent');

    // Exactly the valid events' payouts exist on this task queue: none of the bad requests started one.
    const query = `WorkflowType="payout" AND TaskQueue="${taskQueue}"`;
    await eventually(async () => ((await client.workflow.count(query)).count >= validIds.length ? true : undefined), {
      what: 'payouts of the valid events to be visible',
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // visibility lag: a leaked start would show by now
    assert.equal((await client.workflow.count(query)).count, validIds.length);
    const started = new Set<string>();
    for await (const wf of client.workflow.list({ query })) started.add(wf.workflowId);
    assert.deepEqual([...started].sort(), validIds.map(payoutWorkflowId).sort());
    // And by id, for a sample of the bad ones (cheap, and independent of visibility).
    for (const req of bad.filter((_, i) => i % 50 === 0)) {
      await assert.rejects(
        client.workflow.getHandle(payoutWorkflowId(req.invoiceId)).describe(),
        WorkflowNotFoundError,
      );
    }

    await Promise.all(
      validIds.map((id) => client.workflow.getHandle(payoutWorkflowId(id)).terminate('fault test cleanup')),
    );
  });
});
