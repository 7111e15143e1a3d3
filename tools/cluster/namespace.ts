import { status } from '@grpc/grpc-js';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msNumberToTs, tsToMs } from '@temporalio/common/lib/time';

export interface NamespaceOptions {
  address: string;
  namespace: string;
  retentionDays: number;
  log: (message: string) => void;
  signal?: AbortSignal;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const hasCode = (error: unknown, code: number): boolean => isGrpcServiceError(error) && Number(error.code) === code;

async function ensureNamespace(connection: Connection, opts: NamespaceOptions): Promise<void> {
  const { namespace } = opts;
  try {
    const described = await connection.workflowService.describeNamespace({ namespace });
    const retentionMs = tsToMs(described.config?.workflowExecutionRetentionTtl);
    if (retentionMs !== opts.retentionDays * DAY_MS) {
      opts.log(
        `namespace ${namespace} keeps its retention of ${retentionMs / DAY_MS} days (--retention-days applies when it is created)`,
      );
    }
    return;
  } catch (error) {
    if (!hasCode(error, status.NOT_FOUND)) throw error;
  }
  opts.log(`creating namespace ${namespace} (retention ${opts.retentionDays} days)`);
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msNumberToTs(opts.retentionDays * DAY_MS),
    });
  } catch (error) {
    if (!hasCode(error, status.ALREADY_EXISTS)) throw error;
  }
}

/**
 * Creates the namespace if missing, and waits until the frontend serves it (services cache namespaces for a few
 * seconds). What the product needs in it (search attributes, the pause switch) is setup's job, as on any cluster.
 */
export async function prepareNamespace(opts: NamespaceOptions): Promise<void> {
  const connection = await Connection.connect({ address: opts.address });
  try {
    await ensureNamespace(connection, opts);
    const deadline = Date.now() + 60_000;
    for (;;) {
      opts.signal?.throwIfAborted();
      try {
        await connection.workflowService.countWorkflowExecutions({ namespace: opts.namespace, query: '' });
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`namespace ${opts.namespace} not served after 60 s`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await connection.close();
  }
}
