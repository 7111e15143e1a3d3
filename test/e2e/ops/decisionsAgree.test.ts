import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { Shown } from '../../../src/ops/payoutReads';
import type { AuditEntry } from '../../../src/decisions/audit';
import { InvoiceIdKey, PayoutStatusKey } from '../../../src/temporal/searchAttributes';
import { payoutStateQuery, type PayoutStatus } from '../../../src/workflows/payoutDefinitions';
import { creditAndDispatch, generousGuardrails, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { useTestEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/temporal';
import { runCli, runCliOk, temporalEnv } from './run';

// Four eyes above R$ 20,00; nothing else holds a payout.
const guardrails = { ...generousGuardrails, secondApprovalCents: 2_000 };

async function visible(client: Client, invoiceId: string, status: PayoutStatus): Promise<void> {
  const query = `${InvoiceIdKey.name}="${invoiceId}" AND ${PayoutStatusKey.name}="${status}"`;
  await eventually(async () => ((await client.workflow.count(query)).count > 0 ? true : undefined), {
    timeoutMs: 20_000,
    what: `payout ${invoiceId} listed as ${status}`,
  });
}

/** `payouts show` and `audit --invoice` of one invoice, as [action, operator, at], oldest first. */
async function decisionsOf(invoiceId: string, env: Record<string, string>) {
  const [shownJson, auditJson] = await Promise.all([
    runCliOk(['payouts', 'show', invoiceId, '--json'], env),
    runCliOk(['audit', '--invoice', invoiceId, '--json'], env),
  ]);
  const shown = JSON.parse(shownJson) as Shown;
  const audit = JSON.parse(auditJson) as AuditEntry[];
  return {
    shown: (shown.decisions ?? []).map((d) => [d.action, d.operator, d.at]),
    // The audit lists newest first.
    audited: [...audit].reverse().map((e) => [e.action, e.operator, e.at]),
  };
}

describe('ops CLI: four eyes, and show and audit agree (real process, real Temporal, emulator)', function () {
  this.timeout(120_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('holds a large payout for a second operator, shown everywhere; show and audit list the same decisions', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const env = await temporalEnv(ctx.taskQueue);
        const [paid, rejected] = await Promise.all([
          creditAndDispatch(stark, ctx, 3_000),
          creditAndDispatch(stark, ctx, 2_500),
        ]);
        await Promise.all([
          waitForStatus(paid.handle, 'AwaitingApproval'),
          waitForStatus(rejected.handle, 'AwaitingApproval'),
        ]);

        const first = await runCliOk(['payouts', 'approve', paid.invoiceId, '--operator', 'alice'], env);
        assert.equal(
          first.trim(),
          `approve: payout of invoice ${paid.invoiceId} accepted it (now AwaitingApproval: approved by alice, ` +
            'needs a second operator (two different operators must approve above R$ 20,00)).',
        );
        await eventually(async () => (await paid.handle.query(payoutStateQuery)).waitsFor[0]);
        await visible(ctx.client, paid.invoiceId, 'AwaitingApproval');
        const attention = await runCliOk(['payouts', 'attention'], env);
        assert.match(
          attention,
          new RegExp(
            `^${paid.invoiceId}\\s+AwaitingApproval\\s+R\\$ 30,00\\s+\\S+\\s+.*approved by alice, needs a second operator`,
            'm',
          ),
        );
        assert.match(
          await runCliOk(['payouts', 'show', paid.invoiceId], env),
          /^Reasons:\s+.*approved by alice, needs a second operator/m,
        );

        const twice = await runCli(['payouts', 'approve', paid.invoiceId, '--operator', 'Alice'], env);
        assert.equal(twice.code, 1);
        assert.equal(
          twice.stderr,
          'error: approve refused: cannot approve a payout that is AwaitingApproval: Alice already approved it, ' +
            'and a second, different operator must approve\n',
        );
        await runCliOk(
          ['payouts', 'approve', paid.invoiceId, '--operator', 'bob', '--note', 'second pair of eyes'],
          env,
        );
        assert.equal((await paid.handle.result()).status, 'Succeeded');

        // One approval, then a reject; a second reject once it closed is recorded and names the first.
        await runCliOk(['payouts', 'approve', rejected.invoiceId, '--operator', 'alice'], env);
        await eventually(async () => (await rejected.handle.query(payoutStateQuery)).waitsFor[0]);
        await runCliOk(['payouts', 'reject', rejected.invoiceId, '--operator', 'carla', '--note', 'duplicate'], env);
        assert.equal((await rejected.handle.result()).status, 'Rejected');
        const again = await runCliOk(['payouts', 'reject', rejected.invoiceId, '--operator', 'dan'], env);
        assert.match(again, /It was already rejected by carla at \S+\.$/m);

        const agreed = await Promise.all([decisionsOf(paid.invoiceId, env), decisionsOf(rejected.invoiceId, env)]);
        assert.deepEqual(
          agreed[0].shown.map(([action, operator]) => [action, operator]),
          [
            ['approve', 'alice'],
            ['approve', 'bob'],
          ],
        );
        assert.deepEqual(
          agreed[1].shown.map(([action, operator]) => [action, operator]),
          [
            ['approve', 'alice'],
            ['reject', 'carla'],
            ['reject', 'dan'],
          ],
        );
        for (const { shown, audited } of agreed) assert.deepEqual(shown, audited, 'show and audit agree');
      },
      guardrails,
    );
  });
});
