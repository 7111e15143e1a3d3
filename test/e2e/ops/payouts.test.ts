import assert from 'node:assert/strict';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PayoutState, PayoutStatus } from '../../../src/workflows/payoutDefinitions';
import { InvoiceIdKey, PayoutStatusKey } from '../../../src/temporal/searchAttributes';
import { pauseSwitchWorkflowId } from '../../../src/workflows/pauseSwitchDefinitions';
import { createInvoice, creditAndDispatch, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { useTestEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/temporal';
import { Registry } from 'prom-client';
import { registerPayoutGauges } from '../../../src/gauges/payoutGauges';
import { runCli, runCliOk, temporalEnv } from './run';

// Transfers settle within ~100 ms of bank time.
const fastBank = { timeScale: 0.01, payShare: 0 };
// Payouts above R$ 20,00 wait for an operator.
const guardrails = { maxAmountCents: 2_000, dailyMaxCents: 1_000_000 };

interface ListedPayout {
  invoiceId: string;
  status?: string;
  amountCents?: number;
}

/**
 * Waits, in process, until visibility lists the payout in `status`: visibility lags writes, and polling through
 * the CLI would spend a process start per try.
 */
async function visible(client: Client, invoiceId: string, status: PayoutStatus): Promise<void> {
  const query = `${InvoiceIdKey.name}="${invoiceId}" AND ${PayoutStatusKey.name}="${status}"`;
  await eventually(async () => ((await client.workflow.count(query)).count > 0 ? true : undefined), {
    timeoutMs: 20_000,
    what: `payout ${invoiceId} listed as ${status}`,
  });
}

describe('ops CLI: payouts (real process, real Temporal, emulator)', function () {
  this.timeout(120_000);
  const stark = useTestEmulator({ behaviour: fastBank });

  it('lists payouts by status (table and JSON) and shows one', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await temporalEnv(ctx.taskQueue);
        const held = await creditAndDispatch(stark, ctx, 3_000);
        const sent = await creditAndDispatch(stark, ctx, 1_234);
        await waitForStatus(held.handle, 'AwaitingApproval');
        await sent.handle.result();
        await visible(ctx.client, held.invoiceId, 'AwaitingApproval');
        await visible(ctx.client, sent.invoiceId, 'Succeeded');

        const [waitingJson, table, limited, shown, shownJson] = await Promise.all([
          runCliOk(['payouts', 'list', '--status', 'AwaitingApproval', '--json'], env),
          runCliOk(['payouts', 'list', '--status', 'Succeeded'], env),
          runCliOk(['--json', 'payouts', 'list', '--limit', '1'], env),
          runCliOk(['payouts', 'show', held.invoiceId], env),
          runCliOk(['payouts', 'show', held.invoiceId, '--json'], env),
        ]);

        const waiting = JSON.parse(waitingJson) as ListedPayout[];
        assert.ok(waiting.every((r) => r.status === 'AwaitingApproval'));
        assert.equal(waiting.find((r) => r.invoiceId === held.invoiceId)?.amountCents, 3_000);
        assert.ok(!waiting.some((r) => r.invoiceId === sent.invoiceId), 'the filter leaves out other statuses');

        const [header, ...lines] = table.trimEnd().split('\n');
        assert.match(header!, /^INVOICE\s+STATUS\s+AMOUNT\s+TRANSFER\s+STARTED$/);
        const row = lines.find((l) => l.startsWith(sent.invoiceId));
        assert.ok(row, `row for ${sent.invoiceId} in\n${table}`);
        assert.match(row, /Succeeded\s+R\$ 12,34\s+\d+\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.ok(!lines.some((l) => l.startsWith(held.invoiceId)));
        assert.equal((JSON.parse(limited) as unknown[]).length, 1);
        // Newest first, as `list` says.
        const all = JSON.parse(await runCliOk(['payouts', 'list', '--json'], env)) as { startedAt: string }[];
        const starts = all.map((r) => r.startedAt);
        assert.deepEqual(starts, [...starts].sort().reverse());

        assert.match(shown, /^Status:\s+AwaitingApproval$/m);
        assert.match(shown, /^Reasons:\s+.*per-transfer maximum/m);
        assert.match(shown, /^Net:\s+R\$ 30,00$/m);
        const { source, payout: state } = JSON.parse(shownJson) as { source: string; payout: PayoutState };
        assert.equal(source, 'live');
        assert.equal(state.status, 'AwaitingApproval');
        assert.equal(state.netCents, 3_000);
      },
      guardrails,
    );
  });

  it('approves a held payout, which then succeeds; refuses decisions a payout cannot take', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await temporalEnv(ctx.taskQueue);
        const held = await creditAndDispatch(stark, ctx, 2_500);
        const sent = await creditAndDispatch(stark, ctx, 1_000);
        await waitForStatus(held.handle, 'AwaitingApproval');
        await sent.handle.result();

        const [finished, notHeld, usage, missing, blank, empty] = await Promise.all([
          runCli(['payouts', 'approve', sent.invoiceId, '--operator', 'alice'], env),
          runCli(['payouts', 'retry', held.invoiceId, '--operator', 'alice'], env),
          runCli(['payouts', 'approve', held.invoiceId], env),
          runCli(['payouts', 'show', '999999999'], env),
          runCli(['payouts', 'approve', held.invoiceId, '--operator', '   '], env),
          runCli(['payouts', 'reject', held.invoiceId, '--operator', ''], env),
        ]);
        for (const refused of [blank, empty]) {
          assert.equal(refused.code, 2, 'a blank --operator is a usage error');
          assert.match(refused.stderr, /the operator must not be blank/);
        }
        assert.equal(finished.code, 1);
        assert.equal(
          finished.stderr,
          `error: approve refused: the payout of invoice ${sent.invoiceId} already finished as Succeeded\n`,
        );
        assert.equal(finished.stdout, '');
        assert.equal(notHeld.code, 1);
        assert.equal(
          notHeld.stderr,
          'error: retry refused: cannot retry a payout that is AwaitingApproval: it waits for approve or reject\n',
        );
        assert.equal(usage.code, 2, 'a missing --operator is a usage error');
        assert.match(usage.stderr, /--operator/);
        assert.equal(missing.code, 1);
        assert.equal(
          missing.stderr,
          'error: no payout for invoice 999999999: none ever started, and no decision was recorded\n',
        );

        const approved = await runCliOk(
          ['payouts', 'approve', held.invoiceId, '--operator', 'alice', '--note', 'known payer'],
          env,
        );
        assert.equal(approved.trim(), `approve: payout of invoice ${held.invoiceId} accepted it (now Approved).`);
        const result = await held.handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(
          result.decisions.map((d) => [d.action, d.operator, d.note]),
          [['approve', 'alice', 'known payer']],
        );
        // What it was held for stays visible after the decision.
        assert.match(await runCliOk(['payouts', 'show', held.invoiceId], env), /^Held for:\s+.*per-transfer maximum/m);
        // Who sent the Update, as Temporal recorded it, beside the name given: the CLI's identity.
        assert.match(result.decisions[0]?.caller ?? '', /^ops \S+@\S+ \(pid \d+\)$/);
      },
      guardrails,
    );
  });

  it('pauses all payouts and resumes them, waking the paused ones; says everywhere that they are paused', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await temporalEnv(ctx.taskQueue);
        // The deployment's gauges, read as Prometheus scrapes them.
        const gauges = new Registry();
        registerPayoutGauges(ctx.client, ctx.taskQueue, { registry: gauges, maxAgeMs: 0, pauseAlertAfter: '15m' });
        const gauge = async (name: string) => {
          const line = (await gauges.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
          return Number(line?.split(' ')[1]);
        };
        try {
          assert.match(await runCliOk(['payouts', 'status'], env), /^Payouts:\s+running$/m);
          assert.equal(await gauge('payouts_paused'), 0);
          assert.equal(await gauge('payouts_paused_alert_after_seconds'), 900);

          const paused = await runCliOk(['payouts', 'pause', '--operator', 'bob', '--note', 'bank maintenance'], env);
          assert.equal(paused, 'Payouts paused by bob.\n');
          const again = await runCliOk(['payouts', 'pause', '--operator', 'carla'], env);
          assert.match(
            again,
            /^Payouts paused by carla \(already paused: by bob \[ops [^\]]+\] since \S+ \(bank maintenance\)\)\.$/m,
          );
          const status = await runCliOk(['payouts', 'status'], env);
          assert.match(status, /^Payouts:\s+PAUSED: nothing is sent$/m);
          assert.match(status, /^Paused by:\s+bob \[ops /m, 'the first pause, not the repeat');
          assert.match(status, /^Why:\s+bank maintenance$/m);
          const statusJson = JSON.parse(await runCliOk(['payouts', 'status', '--json'], env)) as { paused: boolean };
          assert.equal(statusJson.paused, true);
          assert.equal(await gauge('payouts_paused'), 1);
          assert.ok((await gauge('payouts_paused_seconds')) >= 0);

          const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 1_500);
          await waitForStatus(handle, 'Paused');
          // Resume wakes the payouts visibility lists as Paused.
          await visible(ctx.client, invoiceId, 'Paused');

          // A held payout approved while paused is told it will wait; attention says so on its first line.
          const held = await creditAndDispatch(stark, ctx, 3_000);
          await waitForStatus(held.handle, 'AwaitingApproval');
          await visible(ctx.client, held.invoiceId, 'AwaitingApproval');
          const attention = await runCliOk(['payouts', 'attention'], env);
          assert.match(attention, /^Payouts are PAUSED by bob/);
          const approved = await runCliOk(['payouts', 'approve', held.invoiceId, '--operator', 'dan'], env);
          assert.match(approved, /^Warning: Payouts are PAUSED by bob .*; it will wait for resume\.$/m);
          await waitForStatus(held.handle, 'Paused');

          const resumed = JSON.parse(await runCliOk(['payouts', 'resume', '--operator', 'bob', '--json'], env)) as {
            paused: boolean;
            woken: number;
          };
          assert.equal(resumed.paused, false);
          assert.ok(resumed.woken >= 1, `woke ${resumed.woken}`);
          // Woken at once, well before the payout's own one-minute re-check.
          assert.equal((await handle.result()).status, 'Succeeded');
          assert.equal((await held.handle.result()).status, 'Succeeded');
          assert.equal(await gauge('payouts_paused'), 0);
          assert.match(await runCliOk(['payouts', 'attention'], env), /^Payouts are not paused\.$/m);
        } finally {
          // The switch of this test's own task queue: leave none running behind.
          await ctx.client.workflow
            .getHandle(pauseSwitchWorkflowId(ctx.taskQueue))
            .terminate('test over')
            .catch((err: unknown) => {
              // Absent only when pausing itself failed; that failure is the one to report.
              if (!(err instanceof WorkflowNotFoundError)) throw err;
            });
        }
      },
      guardrails,
    );
  });

  it('records every operator action beyond the payout, and lists what waits for a person', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await temporalEnv(ctx.taskQueue);
        const held = await creditAndDispatch(stark, ctx, 3_000);
        await waitForStatus(held.handle, 'AwaitingApproval');
        await visible(ctx.client, held.invoiceId, 'AwaitingApproval');

        // The amount waiting for approval, as Prometheus scrapes it.
        const gauges = new Registry();
        registerPayoutGauges(ctx.client, ctx.taskQueue, { registry: gauges, maxAgeMs: 0 });
        assert.match(await gauges.metrics(), /^payout_approval_pending_cents 3000$/m);

        const attention = await runCliOk(['payouts', 'attention'], env);
        // Each waiting payout with its amount and its reason, not a pointer to `payouts show`.
        assert.match(
          attention,
          new RegExp(`^${held.invoiceId}\\s+AwaitingApproval\\s+R\\$ 30,00\\s+\\S+\\s+.*per-transfer maximum`, 'm'),
        );

        const rejected = await runCliOk(
          ['payouts', 'reject', held.invoiceId, '--operator', 'carla', '--note', 'payer on a blocklist'],
          env,
        );
        assert.equal(rejected.trim(), `reject: payout of invoice ${held.invoiceId} accepted it (now Rejecting).`);
        assert.equal((await held.handle.result()).status, 'Rejected');
        await visible(ctx.client, held.invoiceId, 'Rejected');
        assert.match(await gauges.metrics(), /^payout_approval_pending_cents 0$/m);
        // A second reject of the closed payout is recorded on the invoice's record.
        const again = await runCliOk(['payouts', 'reject', held.invoiceId, '--operator', 'dan'], env);
        assert.match(
          again,
          /recorded for invoice .* nothing will start it on its own\. It was already rejected by carla at \S+\.$/m,
        );
        await runCliOk(['payouts', 'pause', '--operator', 'erin', '--note', 'month end'], env);
        await runCliOk(['payouts', 'resume', '--operator', 'erin'], env);

        const audit = JSON.parse(await runCliOk(['audit', '--json'], env)) as {
          action: string;
          operator: string;
          caller?: string;
          note?: string;
          invoiceId?: string;
          payoutStatus?: string;
        }[];
        assert.deepEqual(
          audit.map((e) => [e.action, e.operator, e.note, e.invoiceId, e.payoutStatus]),
          [
            ['resume', 'erin', undefined, undefined, undefined],
            ['pause', 'erin', 'month end', undefined, undefined],
            ['reject', 'dan', undefined, held.invoiceId, 'Closed (Rejected)'],
            ['reject', 'carla', 'payer on a blocklist', held.invoiceId, 'AwaitingApproval'],
          ],
        );
        const table = await runCliOk(['audit', '--invoice', held.invoiceId], env);
        assert.match(table, /^AT\s+ACTION\s+OPERATOR\s+CALLER\s+INVOICE\s+PAYOUT WAS\s+NOTE/);
        assert.ok(
          audit.every((e) => /^ops /.test(e.caller ?? '')),
          'every action names the client that sent it',
        );
        assert.match(table, /reject\s+carla/);
      },
      guardrails,
    );
  });

  it('refuses a decision on an invoice Stark Bank does not know; tells a payout that never started', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const env = await temporalEnv(ctx.taskQueue);
      const [rejected, restarted] = await Promise.all([
        runCli(['payouts', 'reject', '9999999999999999', '--operator', 'ana'], env),
        runCli(['payouts', 'restart', '9999999999999999', '--operator', 'ana'], env),
      ]);
      for (const [action, r] of [
        ['reject', rejected],
        ['restart', restarted],
      ] as const) {
        assert.equal(r.code, 1, r.stderr);
        assert.equal(
          r.stderr,
          `error: ${action} refused: invoice 9999999999999999 does not exist at Stark Bank and has no payout: ` +
            'nothing recorded (check the id)\n',
        );
      }
      const never = await runCli(['payouts', 'show', '9999999999999999'], env);
      assert.equal(never.code, 1);
      assert.match(never.stderr, /none ever started, and no decision was recorded/);

      // An invoice that exists but was never credited: a reject is recorded, a restart refused, and show tells.
      const invoiceId = await createInvoice(stark.user, 4_000);
      const restart = await runCli(['payouts', 'restart', invoiceId, '--operator', 'ana'], env);
      assert.equal(restart.code, 1);
      assert.match(restart.stderr, /was never credited \(status created\): there is nothing to pay yet/);
      await runCliOk(['payouts', 'reject', invoiceId, '--operator', 'ana', '--note', 'sent by mistake'], env);
      const shown = await runCliOk(['payouts', 'show', invoiceId], env);
      assert.match(shown, /^Payout:\s+never started: the invoice was never credited/m);
      assert.match(shown, /^Rejected:\s+by ana/m);
    });
  });

  it('takes a status in any case; an unreachable Temporal is named, with the setting, within --timeout, as JSON', async () => {
    const env = await temporalEnv('any-case');
    const [anyCase, unreachable] = await Promise.all([
      runCli(['payouts', 'list', '--status', 'awaitingAPPROVAL', '--json'], env),
      runCli(['--json', '--timeout', '2', 'payouts', 'list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' }),
    ]);
    assert.equal(anyCase.code, 0, anyCase.stderr);
    assert.ok((JSON.parse(anyCase.stdout) as ListedPayout[]).every((r) => r.status === 'AwaitingApproval'));
    assert.equal(unreachable.code, 1);
    assert.equal(unreachable.stdout, '');
    const { error } = JSON.parse(unreachable.stderr) as { error: string };
    assert.match(
      error,
      /^cannot reach Temporal at 127\.0\.0\.1:1: .* \(set TEMPORAL_ADDRESS, or the profile in temporal\.toml/,
    );
  });

  it('rejects a bad status or limit as a usage error, before connecting', async () => {
    const [status, limit] = await Promise.all([
      runCli(['payouts', 'list', '--status', 'Lost']),
      runCli(['payouts', 'list', '--limit', '0']),
    ]);
    assert.equal(status.code, 2);
    assert.match(status.stderr, /Allowed choices are Received, AwaitingApproval/);
    assert.equal(limit.code, 2);
    assert.match(limit.stderr, /positive integer/);
  });
});
