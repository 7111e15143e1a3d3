import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { listAudit, listOpenCases } from '../../../src/decisions/audit';
import { decide } from '../../../src/decisions/operatorDecisions';
import { readDecisionRecord } from '../../../src/decisions/records';
import { payoutWorkflowId } from '../../../src/domain/payoutIds';
import { lookbackProblem } from '../../../src/temporal/namespace';
import { decisionRecordWorkflowId } from '../../../src/workflows/decisionRecordDefinitions';
import { rejectUpdate, type PayoutWorkflow } from '../../../src/workflows/payoutDefinitions';
import { reconcilePayouts } from '../../../src/workflows/recovery';
import { useTestEmulator } from '../../helpers/emulator';
import { creditAndDispatch, transfersOf, waitForStatus, withPayoutWorker } from '../../helpers/payouts';
import { captureHistory } from '../../helpers/histories';
import { eventually } from '../../helpers/temporal';

const operator = { operator: 'ana', note: 'payer is on a blocklist' };

/** Deletes a closed workflow as the namespace's retention eventually does (what `temporal workflow delete` calls). */
async function deleteAsRetentionWould(client: import('@temporalio/client').Client, workflowId: string) {
  await client.workflowService.deleteWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId },
  });
  await eventually(
    () =>
      client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => undefined,
          (err: unknown) => (err instanceof WorkflowNotFoundError ? true : undefined),
        ),
    { what: `${workflowId} to be deleted`, timeoutMs: 60_000 },
  );
}

describe('decisions beyond Temporal retention (real dev server, real SDK, emulator)', function () {
  this.timeout(90_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('keeps a rejection after the payout is deleted: a redelivery ends Rejected at once, and nothing pays', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const { invoiceId, event, handle } = await creditAndDispatch(stark, ctx, 3_000);
        await waitForStatus(handle, 'AwaitingApproval');
        await handle.executeUpdate(rejectUpdate, { args: [operator] });
        assert.equal((await handle.result()).status, 'Rejected');

        await deleteAsRetentionWould(ctx.client, payoutWorkflowId(invoiceId));
        // Stark Bank delivers the credited event again: the payout it starts reads the record and ends Rejected.
        assert.equal(
          await ctx.dispatcher.dispatch({ ...event, id: `${event.id}-again` }),
          'payout-started-or-signaled',
        );
        const again = await ctx.client.workflow.getHandle<PayoutWorkflow>(payoutWorkflowId(invoiceId)).result();
        assert.equal(again.status, 'Rejected');
        assert.match(again.reasons.join(), new RegExp(`rejected by ${operator.operator}`));
        // Once that one is gone too, the hourly reconciliation runs: it starts nothing for a rejected invoice.
        await deleteAsRetentionWould(ctx.client, payoutWorkflowId(invoiceId));
        const report = await ctx.client.workflow.execute(reconcilePayouts, {
          taskQueue: ctx.taskQueue,
          workflowId: `reconcile-${randomUUID()}`,
          args: [{ lookbackDays: 1 }],
        });
        assert.deepEqual(
          report.unpaid.filter((u) => u.invoiceId === invoiceId).map((u) => u.action),
          ['rejected'],
        );

        await assert.rejects(
          ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId)).describe(),
          WorkflowNotFoundError,
          'no new payout',
        );
        assert.equal((await transfersOf(stark.user, invoiceId)).length, 0, 'no transfer');
        const record = await readDecisionRecord(ctx.client, invoiceId);
        assert.equal(record?.rejected?.operator, operator.operator, 'still shown as rejected');
        await captureHistory(
          ctx.client.workflow.getHandle(decisionRecordWorkflowId(invoiceId)),
          'decision-record/rejected',
        );
        const audit = await listAudit(ctx.client, ctx.taskQueue, { invoiceId, limit: 10 });
        assert.deepEqual(
          audit.map((e) => [e.action, e.operator, e.note, e.payoutStatus]),
          [['reject', operator.operator, operator.note, 'AwaitingApproval']],
        );
      },
      { maxAmountCents: 2_000, dailyMaxCents: 1_000_000 },
    );
  });

  it('lists a credited invoice whose payout closed without paying until an operator restarts it', async () => {
    await withPayoutWorker(
      stark,
      async (ctx) => {
        const { invoiceId, handle } = await creditAndDispatch(stark, ctx, 4_000);
        await waitForStatus(handle, 'AwaitingApproval');
        await handle.terminate('an operator terminated it by hand');

        const report = await ctx.client.workflow.execute(reconcilePayouts, {
          taskQueue: ctx.taskQueue,
          workflowId: `reconcile-${randomUUID()}`,
          args: [{ lookbackDays: 1 }],
        });
        assert.deepEqual(
          report.unpaid.filter((u) => u.invoiceId === invoiceId).map((u) => u.action),
          ['needs-person'],
        );
        const cases = await eventually(async () => {
          const open = (await listOpenCases(ctx.client, ctx.taskQueue)).filter((c) => c.invoiceId === invoiceId);
          return open.length > 0 ? open : undefined;
        });
        assert.equal(cases[0]!.kind, 'closed-without-transfer');

        // Still listed after Temporal forgot the payout: the record, not the payout, holds the case.
        await deleteAsRetentionWould(ctx.client, payoutWorkflowId(invoiceId));
        assert.equal(
          (await listOpenCases(ctx.client, ctx.taskQueue)).filter((c) => c.invoiceId === invoiceId).length,
          1,
        );

        const restarted = await decide(ctx.client, ctx.taskQueue, 'restart', invoiceId, {
          operator: 'bia',
          note: 'approved by phone',
        });
        assert.equal(restarted.applied, 'restarted');
        const again = ctx.client.workflow.getHandle(payoutWorkflowId(invoiceId));
        await waitForStatus(again, 'AwaitingApproval');
        const record = await readDecisionRecord(ctx.client, invoiceId);
        assert.deepEqual(record?.openCases, [], 'the restart resolved the case');
        assert.deepEqual(
          record?.entries.map((e) => [e.action, e.operator, e.payoutStatus]),
          [['restart', 'bia', 'Missing']],
        );
        await again.terminate('test over');
      },
      { maxAmountCents: 2_000, dailyMaxCents: 1_000_000 },
    );
  });

  it('refuses a reconciliation lookback that is not shorter than the retention', () => {
    const day = 86_400_000;
    assert.equal(lookbackProblem(3, 7 * day, 'default'), undefined);
    assert.match(
      lookbackProblem(3, 1 * day, 'default') ?? '',
      /RECONCILE_LOOKBACK_DAYS \(3 days\) must be shorter than the retention of namespace default \(1 day\)/,
    );
    assert.ok(lookbackProblem(7, 7 * day, 'default'), 'equal is not shorter');
  });
});
