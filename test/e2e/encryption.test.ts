import { serviceEnv } from '../../testkit/serviceEnv';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import { payoutWorkflowId } from '../../src/domain/payoutIds';
import { createDataConverter } from '../../src/temporal/client';
import { ENCRYPTED_ENCODING, generatePayloadKey, parsePayloadKeys } from '../../src/temporal/payloadCodec';
import { provisionDeployment } from '../../src/setup/provisionDeployment';
import { deploymentQueuesFilter } from '../../src/temporal/taskQueues';
import type { PayoutState } from '../../src/workflows/payoutDefinitions';
import { freePort } from '../../testkit/devServer';
import { useTestEmulator } from '../helpers/emulator';
import { runToExit, startService, type ChildService } from '../../testkit/processes';
import { payloadsOf } from '../helpers/histories';
import { waitForStatus } from '../helpers/payouts';
import { eventually, getTestEnv, uniqueId } from '../helpers/temporal';
import { runCliOk } from './ops/run';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString();

describe('payload encryption (real processes, real Temporal, emulator)', function () {
  this.timeout(180_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('stores payer data encrypted, shows it through the codec, and keeps paying across a key rotation', async () => {
    const env = await getTestEnv();
    const taskQueue = uniqueId('encryption');
    const [keyA, keyB] = [generatePayloadKey('a'), generatePayloadKey('b')];
    const codecToken = randomUUID();
    // One webhook port across restarts, so the registered subscription stays right.
    const webhookPort = String(await freePort());
    const envWith = (payloadKeys: string) =>
      serviceEnv(
        stark,
        { address: env.address, taskQueue },
        {
          PAYLOAD_KEYS: payloadKeys,
          CODEC_TOKEN: codecToken,
          PAYOUT_MAX_AMOUNT_CENTS: '5000',
          WEBHOOK_PORT: webhookPort,
        },
      );
    const clientWith = (keys: string) =>
      new Client({ connection: env.connection, dataConverter: createDataConverter(parsePayloadKeys(keys)) });
    // What Temporal's database, its backups and anyone with namespace read access see: no codec.
    const raw = new Client({ connection: env.connection });
    await provisionDeployment(clientWith(keyA), { taskQueue, retentionDays: 7 });

    const services: ChildService[] = [];
    const startServices = async (payloadKeys: string) => {
      const [worker, webhook] = await Promise.all([
        startService('src/worker.ts', envWith(payloadKeys), (l) => l.msg === 'worker started', 60_000),
        startService('src/webhook.ts', envWith(payloadKeys), (l) => l.msg === 'webhook listening'),
      ]);
      services.push(worker, webhook);
      const logged = (s: ChildService, key: string) => String(s.logs.find((l) => l[key] !== undefined)?.[key]);
      return { worker, webhook, webhookUrl: logged(webhook, 'url'), workerCodec: logged(worker, 'codecUrl') };
    };
    const stopServices = () => Promise.all(services.splice(0).map((s) => s.stop()));

    const payers = new Map<string, { name: string; taxId: string }>();
    const creditInvoice = async (amount: number, client: Client) => {
      const person = { name: `Encrypted Payer ${payers.size}`, taxId: cpf.generate(true) };
      const [invoice] = await starkbank.invoice.create([new starkbank.Invoice({ amount, ...person })], {
        user: stark.user,
      });
      payers.set(invoice!.id, person);
      stark.emulator.payInvoice(invoice!.id);
      const handle = client.workflow.getHandle(payoutWorkflowId(invoice!.id));
      await eventually(() => handle.describe().catch(() => undefined), { timeoutMs: 20_000, what: 'the payout' });
      return invoice!.id;
    };

    try {
      // 1. Key a only: one payout pays, one waits for approval (over PAYOUT_MAX_AMOUNT_CENTS) across the rotation.
      const first = await startServices(keyA);
      await starkbank.webhook.create({ url: first.webhookUrl, subscriptions: ['invoice'], user: stark.user });
      const withA = clientWith(keyA);
      const paid = await creditInvoice(2_000, withA);
      const held = await creditInvoice(9_000, withA);
      assert.equal(
        ((await withA.workflow.getHandle(payoutWorkflowId(paid)).result()) as PayoutState).status,
        'Succeeded',
      );
      await waitForStatus(withA.workflow.getHandle(payoutWorkflowId(held)), 'AwaitingApproval');

      // Every payload Temporal stored for this deployment is ciphertext; search attributes are not payloads.
      const histories = new Map<string, Awaited<ReturnType<WorkflowHandle['fetchHistory']>>>();
      // Listed through the raw service: the SDK's list would try to decode the (encrypted) memos.
      const { executions } = await raw.workflowService.listWorkflowExecutions({
        namespace: 'default',
        query: deploymentQueuesFilter(taskQueue),
      });
      for (const execution of executions) {
        const workflowId = execution.execution!.workflowId!;
        histories.set(workflowId, await raw.workflow.getHandle(workflowId).fetchHistory());
      }
      assert.ok(histories.has(payoutWorkflowId(paid)) && histories.has(`pause-switch-${taskQueue}`));
      for (const [workflowId, history] of histories) {
        const stored = JSON.stringify(history);
        for (const person of payers.values()) {
          for (const secret of [person.name, person.taxId, person.taxId.replace(/\D/g, '')]) {
            assert.ok(!stored.includes(secret), `${workflowId}: payer data in clear`);
          }
        }
        // Not payloads of ours: search attributes (indexed, personal data never goes there), headers (the trace
        // context) and the SDK's own bookkeeping in markers (a local activity's sequence number and times); the
        // scan above covers them.
        const found = payloadsOf(history).filter(
          ({ where }) => !/searchAttributes|header\.fields|markerRecordedEventAttributes\.details\.data\./.test(where),
        );
        assert.ok(found.length > 0, workflowId);
        for (const { where, payload } of found) {
          assert.equal(text(payload.metadata?.encoding), ENCRYPTED_ENCODING, `${workflowId}: ${where}`);
          assert.equal(text(payload.metadata?.['encryption-key-id']), 'a', `${workflowId}: ${where}`);
        }
      }
      const { executions: listed } = await raw.workflowService.listWorkflowExecutions({
        namespace: 'default',
        query: `InvoiceId="${paid}" AND PayoutStatus="Succeeded"`,
      });
      assert.equal(listed.length, 1, 'search attributes stay readable');

      // The worker's codec server decodes for a caller with the codec token, as the Web UI calls it.
      const input = histories.get(payoutWorkflowId(paid))!.events![0]!.workflowExecutionStartedEventAttributes!.input!
        .payloads![0]!;
      const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
      const decoded = await fetch(`${first.workerCodec}/codec/decode`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${codecToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          payloads: [
            {
              metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
              data: b64(input.data),
            },
          ],
        }),
      });
      assert.equal(decoded.status, 200);
      const [clearInput] = ((await decoded.json()) as { payloads: { data: string }[] }).payloads;
      assert.deepEqual(JSON.parse(Buffer.from(clearInput!.data, 'base64').toString()), { invoiceId: paid });

      // 2. Rotation: every process restarts with b first and a after it. The held payout, written under a, goes on.
      await stopServices();
      const rotated = `${keyB},${keyA}`;
      await startServices(rotated);
      const approved = await runCliOk(['payouts', 'approve', held, '--operator', 'ana'], {
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        PAYLOAD_KEYS: rotated,
      });
      assert.match(approved, /accepted it/);
      const withBoth = clientWith(rotated);
      assert.equal(
        ((await withBoth.workflow.getHandle(payoutWorkflowId(held)).result()) as PayoutState).status,
        'Succeeded',
      );
      const after = await creditInvoice(3_000, withBoth);
      assert.equal(
        ((await withBoth.workflow.getHandle(payoutWorkflowId(after)).result()) as PayoutState).status,
        'Succeeded',
      );
      const keyIds = (workflowId: string) =>
        raw.workflow
          .getHandle(workflowId)
          .fetchHistory()
          .then((h) => new Set(payloadsOf(h).map(({ payload }) => text(payload.metadata?.['encryption-key-id']))));
      assert.deepEqual([...(await keyIds(payoutWorkflowId(held)))].filter(Boolean).sort(), ['a', 'b']);
      assert.deepEqual([...(await keyIds(payoutWorkflowId(after)))].filter(Boolean), ['b']);
      assert.equal(
        ((await withBoth.workflow.getHandle(payoutWorkflowId(paid)).result()) as PayoutState).status,
        'Succeeded',
      );
      await stopServices();

      // 3. A process that cannot read what the deployment wrote refuses to start, naming the missing key only.
      const wrongKey = generatePayloadKey('c');
      const [worker, webhook, droppedTooEarly] = await Promise.all([
        runToExit('src/worker.ts', envWith(wrongKey)),
        runToExit('src/webhook.ts', envWith(wrongKey)),
        runToExit('src/worker.ts', envWith(keyB)),
      ]);
      for (const refused of [worker, webhook, droppedTooEarly]) {
        assert.equal(refused.code, 1, refused.output);
        assert.match(
          refused.output.replaceAll('\\"', '"'),
          /payload keys do not read what this deployment wrote: payload encrypted with key "a"/,
        );
        for (const key of [keyA, keyB, wrongKey]) assert.ok(!refused.output.includes(key.split(':')[1]!));
      }
    } finally {
      await stopServices();
    }
  });
});
