import assert from 'node:assert/strict';
import { PayoutStatusKey } from '../../src/temporal/searchAttributes';
import { upsertInvoiceSearchAttributes } from '../fixtures/workflows';
import { eventually, getTestEnv, TEST_ENV_TIMEOUT_MS, uniqueId, withWorker } from '../helpers/temporal';

const workflowsPath = require.resolve('../fixtures/workflows');

describe('Temporal dev server harness', function () {
  before(async function () {
    this.timeout(TEST_ENV_TIMEOUT_MS);
    await getTestEnv();
  });

  it('runs a workflow that upserts custom search attributes and finds it by InvoiceId', async function () {
    this.timeout(60_000);
    const invoiceId = uniqueId('inv');
    const workflowId = uniqueId('harness');

    const result = await withWorker({ workflowsPath }, ({ client, taskQueue }) =>
      client.workflow.execute(upsertInvoiceSearchAttributes, {
        workflowId,
        taskQueue,
        args: [invoiceId, 'created'],
        workflowExecutionTimeout: '30s',
      }),
    );
    assert.equal(result, `${invoiceId}:created`);

    const { client } = await getTestEnv();
    const found = await eventually(
      async () => {
        for await (const wf of client.workflow.list({ query: `InvoiceId="${invoiceId}"` })) return wf;
        return undefined;
      },
      { what: `visibility to list InvoiceId=${invoiceId}` },
    );
    assert.equal(found.workflowId, workflowId);
    assert.equal(found.status.name, 'COMPLETED');
    assert.equal(found.typedSearchAttributes.get(PayoutStatusKey), 'created');
  });
});
