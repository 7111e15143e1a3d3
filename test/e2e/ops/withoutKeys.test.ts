import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createCodecAuthenticator } from '../../../src/temporal/codecAuth';
import { listenCodecServer, type RunningCodecServer } from '../../../src/temporal/codecServer';
import { createPayloadCodec, parsePayloadKeys } from '../../../src/temporal/payloadCodec';
import { startTestEmulator, type TestEmulator } from '../../../testkit/emulator';
import { RUN_PAYLOAD_KEYS } from '../../../testkit/payloadKeys';
import { creditAndDispatch, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { eventually, getTestEnv } from '../../helpers/temporal';
import { runCli, runCliOk } from './run';

const OPERATOR_TOKEN = randomUUID();

/**
 * An operator's machine holds no payload key: the CLI lists payouts from search attributes alone, and decodes and
 * encodes everything else through the deployment's codec server (TEMPORAL_CODEC_ENDPOINT, TEMPORAL_CODEC_AUTH, as
 * `temporal --codec-endpoint` takes them), which logs who asked.
 */
describe('ops CLI without the payload keys (real process, codec server over HTTP)', function () {
  this.timeout(120_000);
  let stark: TestEmulator;
  let codec: RunningCodecServer;
  const codecLog: Record<string, unknown>[] = [];

  before(async () => {
    stark = await startTestEmulator({ seed: randomUUID(), behaviour: { timeScale: 0.01, payShare: 0 } });
    codec = await listenCodecServer(
      { host: '127.0.0.1', port: 0 },
      {
        codec: createPayloadCodec(parsePayloadKeys(RUN_PAYLOAD_KEYS)),
        authenticate: createCodecAuthenticator({ tokens: [{ id: 'ana', token: OPERATOR_TOKEN }] }),
        allowedOrigins: [],
        logger: pino(
          { level: 'info' },
          { write: (line: string) => void codecLog.push(JSON.parse(line) as Record<string, unknown>) },
        ),
      },
    );
  });
  after(async () => {
    await codec?.close();
    await stark?.close();
  });

  it('lists with neither keys nor codec, and decides through the codec server, which logs the operator', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await getTestEnv();
        const where = {
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: env.namespace ?? 'default',
          TEMPORAL_TASK_QUEUE: ctx.taskQueue,
        };
        const held = await creditAndDispatch(stark, ctx, 3_000);
        await waitForStatus(held.handle, 'AwaitingApproval');
        await eventually(
          async () => ((await ctx.client.workflow.count(`InvoiceId="${held.invoiceId}"`)).count > 0 ? true : undefined),
          { timeoutMs: 20_000, what: 'the payout listed' },
        );

        // Search attributes only: no key, no codec server.
        const listed = JSON.parse(await runCliOk(['payouts', 'list', '--json'], where)) as { invoiceId: string }[];
        assert.ok(
          listed.some((r) => r.invoiceId === held.invoiceId),
          JSON.stringify(listed),
        );
        // Anything that reads payloads says where they are decoded, instead of asking for the keys.
        const refused = await runCli(['payouts', 'show', held.invoiceId], where);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /TEMPORAL_CODEC_ENDPOINT=.*TEMPORAL_CODEC_AUTH=/);
        assert.doesNotMatch(refused.stderr, /PAYLOAD_KEYS/);

        const withCodec = {
          ...where,
          TEMPORAL_CODEC_ENDPOINT: `${codec.url}/codec`,
          TEMPORAL_CODEC_AUTH: `Bearer ${OPERATOR_TOKEN}`,
        };
        const shown = JSON.parse(await runCliOk(['payouts', 'show', held.invoiceId, '--json'], withCodec)) as {
          payout?: { status?: string };
        };
        assert.equal(shown.payout?.status, 'AwaitingApproval');
        await runCliOk(['payouts', 'approve', held.invoiceId, '--operator', 'ana', '--note', 'known payer'], withCodec);
        assert.equal(((await held.handle.result()) as { status: string }).status, 'Succeeded');

        const asked = codecLog.filter((l) => l.msg === 'codec: decode' || l.msg === 'codec: encode');
        assert.ok(asked.some((l) => l.direction === 'decode'));
        assert.ok(
          asked.some((l) => l.direction === 'encode'),
          'the approval was encrypted by the codec server',
        );
        assert.ok(asked.every((l) => l.who === 'token:ana'));
        assert.ok(!JSON.stringify(codecLog).includes(OPERATOR_TOKEN), 'the token is never logged');

        const wrong = await runCli(['payouts', 'show', held.invoiceId], {
          ...withCodec,
          TEMPORAL_CODEC_AUTH: 'Bearer not-a-token',
        });
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /refused the credentials/);
        assert.ok(!wrong.stderr.includes('not-a-token'));
      },
      { maxAmountCents: 2_000, dailyMaxCents: 1_000_000 },
    );
  });
});
