import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  ActivityFailure,
  ApplicationFailure,
  ScheduleNotFoundError,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import axios from 'axios';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import type { IssuanceConfig } from '../../../src/config';
import { batchTag, type IssuanceResult } from '../../../src/domain/issuance';
import { ensureInvoiceSchedule, issuanceInput } from '../../../src/schedules/invoiceSchedule';
import { BatchIdKey } from '../../../src/temporal/searchAttributes';
import { collect } from '../../../src/starkbank/list';
import { invoiceSchema } from '../../../src/starkbank/schemas';
import { issueInvoices } from '../../../src/workflows/issueInvoices';
import { captureHistory, decryptedHistoryText } from '../../helpers/histories';
import { withPayoutWorker } from '../../helpers/payouts';
import { useTestEmulator } from '../../helpers/emulator';
import type { TestEmulator } from '../../../testkit/emulator';
import { eventually } from '../../helpers/temporal';

function issuanceConfig(overrides: Partial<IssuanceConfig> = {}): IssuanceConfig {
  return {
    scheduleId: `issue-invoices-${randomUUID()}`,
    interval: '3h',
    overlap: 'SKIP',
    catchupWindow: '1m',
    count: { min: 8, max: 12 },
    amountCents: { min: 1_000, max: 50_000 },
    dueInDays: 2,
    ...overrides,
  };
}

async function invoicesOfBatch(stark: TestEmulator, batchId: string) {
  return collect(starkbank.invoice.query({ tags: [batchTag(batchId)], user: stark.user }), invoiceSchema);
}

/** The runs a schedule started, newest last, once each has finished. */
async function finishedRuns(client: Client, scheduleId: string, expected: number): Promise<WorkflowHandle[]> {
  const recent = await eventually(
    async () => {
      const description = await client.schedule.getHandle(scheduleId).describe();
      return description.info.recentActions.length >= expected ? description.info.recentActions : undefined;
    },
    { timeoutMs: 20_000, what: `${expected} runs of ${scheduleId}` },
  );
  const handles = recent.map((a) => client.workflow.getHandle(a.action.workflow.workflowId));
  await Promise.all(handles.map((h) => h.result()));
  return handles;
}

describe('invoice issuance (schedule, workflow, activities against the emulator)', function () {
  this.timeout(60_000);
  const stark = useTestEmulator({ behaviour: { timeScale: 0.01, payShare: 0 } });

  it('a triggered schedule run issues 8-12 invoices with valid tax ids and amounts in range', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const cfg = issuanceConfig();
      assert.equal(await ensureInvoiceSchedule(client, cfg, taskQueue), 'created');
      const schedule = client.schedule.getHandle(cfg.scheduleId);
      try {
        await schedule.trigger();
        const [run] = await finishedRuns(client, cfg.scheduleId, 1);
        const result = (await run!.result()) as IssuanceResult;

        assert.ok(result.count >= 8 && result.count <= 12, `count ${result.count}`);
        const invoices = await invoicesOfBatch(stark, result.batchId);
        assert.equal(invoices.length, result.count);
        assert.deepEqual(invoices.map((i) => i.id).sort(), [...result.invoiceIds].sort());
        assert.equal(
          result.totalCents,
          invoices.reduce((s, i) => s + i.amount, 0),
        );
        for (const invoice of invoices) {
          assert.ok(invoice.amount >= 1_000 && invoice.amount <= 50_000, `amount ${invoice.amount}`);
          assert.ok(Number.isInteger(invoice.amount));
          assert.ok(cpf.isValid(invoice.taxId ?? ''), `tax id ${invoice.taxId}`);
          assert.ok((invoice.name ?? '').split(' ').length >= 2, `name ${invoice.name}`);
        }
        const described = await run!.describe();
        assert.equal(described.typedSearchAttributes.get(BatchIdKey), result.batchId);
        // The run's history, even decrypted, names no payer: the activity makes them from the batch and index.
        const decrypted = await decryptedHistoryText(run!);
        for (const invoice of invoices) {
          for (const secret of [invoice.name ?? '?', invoice.taxId ?? '?', (invoice.taxId ?? '?').replace(/\D/g, '')]) {
            assert.ok(!decrypted.includes(secret), 'a payer reached the workflow history');
          }
        }
        await captureHistory(run!, 'issuance/triggered');
      } finally {
        await schedule.delete();
      }
    });
  });

  it('creates no duplicate when a create response is lost after the invoices were committed', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      stark.emulator.setFaults({ rules: [{ kind: 'dropAfterCommit', method: 'POST', path: '/v2/invoice', count: 1 }] });
      const input = issuanceInput(issuanceConfig({ count: { min: 5, max: 5 } }));
      const handle = await client.workflow.start(issueInvoices, {
        workflowId: `issue-invoices-lost-${randomUUID()}`,
        taskQueue,
        args: [input],
      });
      const result = await handle.result();
      assert.deepEqual(stark.emulator.getFaults().rules, [], 'the lost response really happened');
      const invoices = await invoicesOfBatch(stark, result.batchId);
      assert.equal(invoices.length, 5, 'the retry found the committed invoices instead of issuing them again');
      assert.equal(result.count, 5);
      await captureHistory(handle, 'issuance/lost-response');
    });
  });

  it('creates no duplicate when a create times out on our side and commits later', async () => {
    const timeout = axios.defaults.timeout;
    axios.defaults.timeout = 1_000;
    try {
      await withPayoutWorker(
        stark,
        async ({ client, taskQueue }) => {
          // Held past the client's timeout, then committed: a retry that created again would issue the batch twice.
          stark.emulator.setFaults({
            slowDelayMs: 6_000,
            rules: [{ kind: 'slow', method: 'POST', path: '/v2/invoice' }],
          });
          const result = await client.workflow.execute(issueInvoices, {
            workflowId: `issue-invoices-late-${randomUUID()}`,
            taskQueue,
            args: [issuanceInput(issuanceConfig({ count: { min: 4, max: 4 } }))],
          });
          await new Promise((resolve) => setTimeout(resolve, 6_500));
          assert.equal((await invoicesOfBatch(stark, result.batchId)).length, 4, 'each invoice issued once');
          assert.equal(result.count, 4);
        },
        undefined,
        { lateCommitMs: 10_000 },
      );
    } finally {
      axios.defaults.timeout = timeout;
      stark.emulator.setFaults({ rules: [] });
    }
  });

  it('fails the run visibly when the API refuses the invoices', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(issueInvoices, {
        workflowId: `issue-invoices-refused-${randomUUID()}`,
        taskQueue,
        // A negative amount is refused by Stark Bank: a non-retryable input error.
        args: [{ count: { min: 1, max: 1 }, amountCents: { min: -500, max: -500 }, dueInDays: 2 }],
      });
      await assert.rejects(handle.result(), (err: WorkflowFailedError) => {
        assert.ok(err.cause instanceof ActivityFailure);
        assert.ok(err.cause.cause instanceof ApplicationFailure);
        assert.equal(err.cause.cause.type, 'StarkInputError');
        assert.match(err.cause.cause.message, /invalidAmount/);
        return true;
      });
    });
  });

  it('a bounded schedule stops after its runs', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const cfg = issuanceConfig({ interval: '1s', maxRuns: 2, count: { min: 1, max: 1 } });
      await ensureInvoiceSchedule(client, cfg, taskQueue);
      const schedule = client.schedule.getHandle(cfg.scheduleId);
      try {
        await finishedRuns(client, cfg.scheduleId, 2);
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        const description = await schedule.describe();
        assert.equal(description.state.remainingActions, 0);
        assert.equal(description.info.numActionsTaken, 2, 'no run after the budget was used');
      } finally {
        await schedule.delete();
      }
    });
  });

  it('creating the schedule is idempotent and picks up changed settings', async () => {
    await withPayoutWorker(stark, async ({ client, taskQueue }) => {
      const cfg = issuanceConfig();
      const schedule = client.schedule.getHandle(cfg.scheduleId);
      try {
        assert.equal(await ensureInvoiceSchedule(client, cfg, taskQueue), 'created');
        assert.equal(await ensureInvoiceSchedule(client, cfg, taskQueue), 'unchanged');
        await schedule.pause('operator pause must survive a settings change');

        const changed = { ...cfg, interval: '2h' as const, count: { min: 3, max: 4 } };
        assert.equal(await ensureInvoiceSchedule(client, changed, taskQueue), 'updated');
        assert.equal(await ensureInvoiceSchedule(client, changed, taskQueue), 'unchanged');
        const description = await schedule.describe();
        assert.equal(description.spec.intervals?.[0]?.every, 2 * 3600 * 1000);
        assert.deepEqual(description.action.args?.[0], issuanceInput(changed));
        assert.equal(description.state.paused, true);
      } finally {
        await schedule.delete();
      }
      await assert.rejects(schedule.describe(), ScheduleNotFoundError);
    });
  });
});
