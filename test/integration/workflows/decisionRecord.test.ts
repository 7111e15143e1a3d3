import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { listAudit } from '../../../src/decisions/audit';
import { pauseStatus, recordScheduleAction, setPayoutsPaused } from '../../../src/decisions/pauseSwitch';
import { openCase, openLossCase, readDecisionRecord, recordDecision } from '../../../src/decisions/records';
import { InvoiceIdKey } from '../../../src/temporal/searchAttributes';
import { recordsTaskQueue } from '../../../src/temporal/taskQueues';
import {
  DECISION_RECORD_WORKFLOW_TYPE,
  decisionRecordWorkflowId,
  type DecisionEntry,
  type OperatorAction,
} from '../../../src/workflows/decisionRecordDefinitions';
import { pauseSwitchWorkflowId } from '../../../src/workflows/pauseSwitchDefinitions';
import { nextInvoiceId } from '../../helpers/stubbedPayout';
import { eventually, withWorker } from '../../helpers/temporal';

const entry = (action: OperatorAction): DecisionEntry => ({
  id: `${action}/${randomUUID()}`,
  action,
  operator: 'ana',
  at: new Date().toISOString(),
  payoutStatus: 'Closed (Succeeded)',
});

/** An Update the workflow's validator refused, saying why. */
const refusedBecause = (why: RegExp) => (err: unknown) => {
  assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
  assert.match(String(err.cause?.message), why);
  return true;
};

/** An invoice's decision record on the real dev server: which decisions close which cases. */
describe('decision record (real dev server)', function () {
  this.timeout(60_000);

  it('keeps a case about money that left open through a reject, until it is acknowledged (E)', async () => {
    await withWorker({ workflowsPath: require.resolve('../../../src/workflows') }, async ({ client, taskQueue }) => {
      const invoiceId = nextInvoiceId();
      const loss = { invoiceId, transferId: 't1', sentCents: 10_000, owedCents: 6_000, lossCents: 4_000 };
      assert.equal(await openLossCase(client, taskQueue, loss), 'case-opened');
      await openCase(client, taskQueue, invoiceId, {
        kind: 'sent-despite-rejection',
        reason: 'sent before the reject',
      });

      const rejected = await recordDecision(client, taskQueue, invoiceId, entry('reject'));
      assert.ok(rejected.rejected);
      assert.deepEqual(
        rejected.openCases.map((c) => c.kind),
        ['reversal-loss', 'sent-despite-rejection'],
        'a reject resolves whether to pay, not money that already left',
      );
      const restarted = await recordDecision(client, taskQueue, invoiceId, entry('restart'));
      assert.equal(restarted.openCases.length, 2);
      // A reconciliation run that finds the same loss again counts it once.
      assert.equal(await openLossCase(client, taskQueue, loss), 'case-open');

      const acknowledged = await recordDecision(client, taskQueue, invoiceId, entry('acknowledge'));
      assert.deepEqual(acknowledged.openCases, []);
      assert.equal(acknowledged.acknowledgedLossCents, 4_000);
      assert.equal(await openLossCase(client, taskQueue, loss), 'acknowledged');
      await eventually(async () =>
        (await readDecisionRecord(client, invoiceId))?.openCases.length === 0 ? true : undefined,
      );
    });
  });

  it('closes a case about whether to pay on a reject or restart, and never reopens one on a rejected invoice', async () => {
    await withWorker({ workflowsPath: require.resolve('../../../src/workflows') }, async ({ client, taskQueue }) => {
      const invoiceId = nextInvoiceId();
      const closed = { kind: 'closed-without-transfer' as const, reason: 'its payout was terminated' };
      assert.equal((await openCase(client, taskQueue, invoiceId, closed)).openCases.length, 1);
      assert.deepEqual((await recordDecision(client, taskQueue, invoiceId, entry('reject'))).openCases, []);
      assert.deepEqual((await openCase(client, taskQueue, invoiceId, closed)).openCases, []);
    });
  });

  it('refuses an entry without a non-blank operator; the audit shows every entry, an unreadable one flagged', async () => {
    await withWorker({ workflowsPath: require.resolve('../../../src/workflows') }, async ({ client, taskQueue }) => {
      const invoiceId = nextInvoiceId();
      for (const operator of ['', '   ', undefined]) {
        await assert.rejects(
          recordDecision(client, taskQueue, invoiceId, { ...entry('reject'), operator } as DecisionEntry),
          (err: unknown) => {
            assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
            assert.match(String(err.cause?.message), /recordDecision: "operator" (is missing|must not be blank)/);
            return true;
          },
        );
      }
      await assert.rejects(
        openCase(client, taskQueue, invoiceId, { kind: 'lost', reason: 'x' } as never),
        refusedBecause(/openCase: "kind"/),
        'a case of no known kind is refused',
      );
      await recordDecision(client, taskQueue, invoiceId, { ...entry('reject'), caller: 'ops ana@desk' });
      await eventually(async () =>
        (await listAudit(client, taskQueue, { invoiceId, limit: 10 })).length ? true : undefined,
      );
      const audit = await listAudit(client, taskQueue, { invoiceId, limit: 10 });
      assert.deepEqual(
        audit.map((e) => [e.action, e.operator, e.caller]),
        [['reject', 'ana', 'ops ana@desk']],
      );

      // A record that holds an entry with no operator (started with it: Updates refuse one) still lists it.
      const older = nextInvoiceId();
      const bad = { ...entry('approve'), operator: undefined, at: '2020-01-01T00:00:00.000Z' };
      await client.workflow.start(DECISION_RECORD_WORKFLOW_TYPE, {
        workflowId: decisionRecordWorkflowId(older),
        taskQueue: recordsTaskQueue(taskQueue),
        args: [{ invoiceId: older, entries: [bad, entry('reject')], openCases: [] }],
        typedSearchAttributes: [{ key: InvoiceIdKey, value: older }],
      });
      const listed = await eventually(async () => {
        const rows = await listAudit(client, taskQueue, { invoiceId: older, limit: 10 });
        return rows.length === 2 ? rows : undefined;
      });
      assert.deepEqual(
        listed.map((e) => [e.action, e.operator, e.note?.replace(/:.*/, '')]),
        [
          ['reject', 'ana', undefined],
          ['approve', '(none recorded)', 'unreadable entry'],
        ],
      );
    });
  });

  it('records a schedule action by a named operator in the audit, and refuses one without', async () => {
    await withWorker({ workflowsPath: require.resolve('../../../src/workflows') }, async ({ client, taskQueue }) => {
      const handle = client.workflow.getHandle(pauseSwitchWorkflowId(taskQueue));
      try {
        await recordScheduleAction(client, taskQueue, { action: 'pause', scheduleId: 'issue', operator: ' ana ' });
        // Any client can send the Update (the Web UI sends what a person types): blank, unknown and bad are refused.
        for (const [args, why] of [
          [{ action: 'trigger', scheduleId: 'issue', operator: '  ' }, /"operator" must not be blank/],
          [{ action: 'trigger', scheduleId: 'issue' }, /"operator" is missing/],
          [{ action: 'delete', scheduleId: 'issue', operator: 'ana' }, /"action" must be pause, resume or trigger/],
          [{ action: 'trigger', scheduleId: 'issue', operator: 'ana', by: 'x' }, /unknown field "by"/],
        ] as const) {
          await assert.rejects(
            handle.executeUpdate('recordScheduleAction', { args: [args] }),
            refusedBecause(new RegExp(`recordScheduleAction: ${why.source}`)),
          );
        }
        await recordScheduleAction(client, taskQueue, {
          action: 'trigger',
          scheduleId: 'issue',
          operator: 'bia',
          note: 'catch-up',
          schedulePaused: true,
        });
        const listed = await listAudit(client, taskQueue, { limit: 10 });
        assert.deepEqual(
          listed.map((e) => [e.action, e.scheduleId, e.operator, e.note]),
          [
            ['schedule-trigger', 'issue', 'bia', 'catch-up; while the schedule was paused'],
            ['schedule-pause', 'issue', 'ana', undefined],
          ],
        );
        // The switch itself is untouched by a schedule action.
        assert.equal((await pauseStatus(client, taskQueue)).paused, false);
      } finally {
        await handle.terminate('test over').catch(() => undefined);
      }
    });
  });

  it('refuses a pause switch change without an operator', async () => {
    await withWorker({ workflowsPath: require.resolve('../../../src/workflows') }, async ({ client, taskQueue }) => {
      try {
        await assert.rejects(setPayoutsPaused(client, taskQueue, { paused: true, operator: ' ' }), (err: unknown) => {
          assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
          assert.match(String(err.cause?.message), /setPaused: "operator" must not be blank/);
          return true;
        });
        await assert.rejects(
          client.workflow.getHandle(pauseSwitchWorkflowId(taskQueue)).executeUpdate('setPaused', { args: [{}] }),
          refusedBecause(/setPaused: "paused" is missing/),
        );
      } finally {
        await client.workflow
          .getHandle(pauseSwitchWorkflowId(taskQueue))
          .terminate('test over')
          .catch(() => undefined);
      }
    });
  });
});
