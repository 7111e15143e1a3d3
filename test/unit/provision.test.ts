import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { provisionNamespace } from '../../src/temporal/provision';

/** A gRPC error as the client library raises it. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

/**
 * A cluster that keeps namespaces and search attributes to itself, as Temporal Cloud does: reads work, the
 * operator and namespace writes are refused.
 */
function cloudLikeClient(opts: { namespaceExists: boolean; retentionDays: number; attributes: string[] }): Client {
  const denied = () => Promise.reject(grpcError(7, 'Request unauthorized.'));
  return {
    options: { namespace: 'payouts.a1b2c' },
    workflowService: {
      describeNamespace: () =>
        opts.namespaceExists
          ? Promise.resolve({ config: { workflowExecutionRetentionTtl: msToTs(opts.retentionDays * 86_400_000) } })
          : Promise.reject(grpcError(5, 'Namespace payouts.a1b2c is not found.')),
      registerNamespace: denied,
      updateNamespace: denied,
    },
    connection: {
      operatorService: {
        listSearchAttributes: () =>
          Promise.resolve({ customAttributes: Object.fromEntries(opts.attributes.map((name) => [name, 2])) }),
        addSearchAttributes: denied,
      },
    },
    workflow: {
      getHandle: () => ({ describe: () => Promise.resolve({ status: { name: 'RUNNING' } }) }),
    },
  } as unknown as Client;
}

describe('provisionNamespace on a cluster that refuses operator writes (Temporal Cloud)', () => {
  it('says exactly what to create: the missing search attributes and a longer retention', async () => {
    const client = cloudLikeClient({ namespaceExists: true, retentionDays: 3, attributes: ['InvoiceId', 'BatchId'] });
    const report = await provisionNamespace(client, { retentionDays: 7 });
    assert.equal(report.namespace, 'exists');
    assert.equal(report.retention, '3 days, shorter than 7 days');
    assert.equal(report.searchAttributes, 'missing PayoutStatus, PayoutAmount, TransferId, DecisionState');
    assert.deepEqual(report.manual, [
      'tcld namespace retention set --namespace payouts.a1b2c --retention-days 7',
      'tcld namespace search-attributes add --namespace payouts.a1b2c --search-attribute "PayoutStatus=Keyword" ' +
        '--search-attribute "PayoutAmount=Int" --search-attribute "TransferId=Keyword" ' +
        '--search-attribute "DecisionState=Keyword"',
    ]);
  });

  it('says to create the namespace first when it does not exist', async () => {
    const client = cloudLikeClient({ namespaceExists: false, retentionDays: 0, attributes: [] });
    const report = await provisionNamespace(client, { retentionDays: 7 });
    assert.equal(report.namespace, 'missing');
    assert.deepEqual(report.manual, [
      'tcld namespace create --namespace payouts.a1b2c --retention-days 7 (or the Cloud UI)',
    ]);
  });
});
