import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { payoutWorkflowId } from '../../src/domain/payoutIds';
import type { PayoutState } from '../../src/domain/types';
import { PAYOUTS_CONTROL_WORKFLOW_ID } from '../../src/workflows/payoutsControl';
import {
  createInvoice,
  creditedEventOf,
  waitForStatus,
  withPayoutWorker,
  type PayoutContext,
} from '../helpers/payouts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';
import { eventually } from '../helpers/temporal';
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

describe('ops CLI: payouts (real process, dev server, emulator)', function () {
  this.timeout(60_000);
  let stark: TestSandbox;

  before(async () => {
    stark = await startTestSandbox({ seed: randomUUID(), behaviour: fastBank });
  });
  after(() => stark?.close());

  async function creditAndDispatch(ctx: PayoutContext, amount: number) {
    const invoiceId = await createInvoice(stark.user, amount);
    stark.sandbox.payInvoice(invoiceId, { fee: 0 });
    await ctx.dispatcher.dispatch(creditedEventOf(stark.sandbox, invoiceId));
    return { invoiceId, handle: ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId)) };
  }

  /** `payouts list` as JSON, once visibility has caught up with `ready`. */
  async function listed(env: Record<string, string>, args: string[], ready: (rows: ListedPayout[]) => boolean) {
    return eventually(
      async () => {
        const rows = JSON.parse(await runCliOk(['payouts', 'list', '--json', ...args], env)) as ListedPayout[];
        return ready(rows) ? rows : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: `payouts list ${args.join(' ')}` },
    );
  }

  it('lists payouts by status (table and JSON) and shows one', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await temporalEnv(ctx.taskQueue);
        const held = await creditAndDispatch(ctx, 3_000);
        const sent = await creditAndDispatch(ctx, 1_234);
        await waitForStatus(held.handle, 'AwaitingApproval');
        await sent.handle.result();

        const waiting = await listed(env, ['--status', 'AwaitingApproval'], (rows) =>
          rows.some((r) => r.invoiceId === held.invoiceId),
        );
        assert.ok(waiting.every((r) => r.status === 'AwaitingApproval'));
        assert.ok(!waiting.some((r) => r.invoiceId === sent.invoiceId), 'the filter leaves out other statuses');
        assert.equal(waiting.find((r) => r.invoiceId === held.invoiceId)?.amountCents, 3_000);

        await listed(env, ['--status', 'Succeeded'], (rows) => rows.some((r) => r.invoiceId === sent.invoiceId));
        const [table, limited] = await Promise.all([
          runCliOk(['payouts', 'list', '--status', 'Succeeded'], env),
          runCliOk(['payouts', 'list', '--limit', '1', '--json'], env),
        ]);
        const [header, ...lines] = table.trimEnd().split('\n');
        assert.match(header!, /^INVOICE\s+STATUS\s+AMOUNT\s+TRANSFER\s+STARTED$/);
        const row = lines.find((l) => l.startsWith(sent.invoiceId));
        assert.ok(row, `row for ${sent.invoiceId} in\n${table}`);
        assert.match(row, /Succeeded\s+R\$ 12,34\s+\d+\s+\d{4}-\d\d-\d\dT/);
        assert.equal((JSON.parse(limited) as unknown[]).length, 1);

        const [shown, shownJson] = await Promise.all([
          runCliOk(['payouts', 'show', held.invoiceId], env),
          runCliOk(['payouts', 'show', held.invoiceId, '--json'], env),
        ]);
        assert.match(shown, /^Status:\s+AwaitingApproval$/m);
        assert.match(shown, /^Reasons:\s+.*per-transfer maximum/m);
        assert.match(shown, /^Net:\s+R\$ 30,00$/m);
        const state = JSON.parse(shownJson) as PayoutState;
        assert.equal(state.status, 'AwaitingApproval');
        assert.equal(state.netCents, 3_000);
      },
      guardrails,
    );
  });

  it('approves a held payout, which then succeeds; refuses to approve one that is not held', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await temporalEnv(ctx.taskQueue);
        const held = await creditAndDispatch(ctx, 2_500);
        const sent = await creditAndDispatch(ctx, 1_000);
        await waitForStatus(held.handle, 'AwaitingApproval');
        await sent.handle.result();

        const [finished, notHeld, usage] = await Promise.all([
          runCli(['payouts', 'approve', sent.invoiceId, '--operator', 'alice'], env),
          runCli(['payouts', 'retry', held.invoiceId, '--operator', 'alice'], env),
          runCli(['payouts', 'approve', held.invoiceId], env),
        ]);
        assert.equal(finished.code, 1);
        assert.equal(
          finished.stderr,
          `error: approve refused: the payout of invoice ${sent.invoiceId} already finished as Succeeded\n`,
        );
        assert.equal(finished.stdout, '');
        assert.equal(notHeld.code, 1);
        assert.equal(notHeld.stderr, 'error: retry refused: cannot retry a payout that is AwaitingApproval\n');
        assert.equal(usage.code, 2, 'a missing --operator is a usage error');
        assert.match(usage.stderr, /--operator/);

        const approved = await runCliOk(
          ['payouts', 'approve', held.invoiceId, '--operator', 'alice', '--note', 'known payer'],
          env,
        );
        assert.equal(approved.trim(), `Approved payout of invoice ${held.invoiceId} (was AwaitingApproval).`);
        const result = (await held.handle.result()) as PayoutState;
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(result.decidedBy, { action: 'approve', operator: 'alice', note: 'known payer' });

        const missing = await runCli(['payouts', 'show', '999999999'], env);
        assert.equal(missing.code, 1);
        assert.equal(missing.stderr.trim(), 'error: no payout for invoice 999999999');
      },
      guardrails,
    );
  });

  it('pauses all payouts and resumes them, waking the paused ones', async () => {
    await withPayoutWorker(stark, async (ctx) => {
      const env = await temporalEnv(ctx.taskQueue);
      try {
        const paused = await runCliOk(['payouts', 'pause', '--operator', 'bob', '--note', 'bank maintenance'], env);
        assert.equal(paused.trim(), 'Payouts paused by bob.');
        const { handle } = await creditAndDispatch(ctx, 1_500);
        await waitForStatus(handle, 'Paused');
        // Resume wakes the payouts that visibility lists as Paused; wait until this one is listed.
        await listed(env, ['--status', 'Paused'], (rows) =>
          rows.some((r) => `payout-${r.invoiceId}` === handle.workflowId),
        );

        const resumed = JSON.parse(await runCliOk(['payouts', 'resume', '--operator', 'bob', '--json'], env)) as {
          paused: boolean;
          woken: number;
        };
        assert.equal(resumed.paused, false);
        assert.ok(resumed.woken >= 1, `woke ${resumed.woken}`);
        // Woken at once: well before the payout's own one-minute re-check.
        assert.equal(((await handle.result()) as PayoutState).status, 'Succeeded');
      } finally {
        // The switch is a singleton polled on this test's own task queue: leave none behind for other tests.
        await ctx.client.workflow
          .getHandle(PAYOUTS_CONTROL_WORKFLOW_ID)
          .terminate('test over')
          .catch((err: unknown) => {
            // Absent only when pausing itself failed; that failure is the one to report.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          });
      }
    });
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
