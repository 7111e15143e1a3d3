import { status } from '@grpc/grpc-js';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { daysToMs, formatDays, namespaceRetentionMs } from './namespace';
import { customSearchAttributes } from './searchAttributes';

// What the product needs of its Temporal namespace: the namespace, its retention and the search attributes.

export interface NamespaceReport {
  namespace: 'created' | 'exists' | 'missing';
  retention: string;
  searchAttributes: string;
  /** What this cluster would not let setup do itself (Temporal Cloud): the exact commands for a person. */
  manual: string[];
}

const codeOf = (err: unknown) => (isGrpcServiceError(err) ? Number(err.code) : undefined);
/** The cluster manages this elsewhere (Temporal Cloud: tcld or the Cloud UI), not through this API. */
const notHere = (err: unknown) => [status.PERMISSION_DENIED, status.UNIMPLEMENTED].includes(codeOf(err) ?? -1);

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const indexedTypes = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
} as const;
export const typeNames = { KEYWORD: 'Keyword', INT: 'Int' } as const;

/**
 * The namespace as the product needs it, created where the cluster lets setup do it (a self-hosted server, the dev
 * server) and printed as commands where it does not (Temporal Cloud): the namespace, a retention at least
 * `retentionDays` (raised, never lowered), and the product's search attributes. Safe to run again at any time.
 */
export async function provisionNamespace(
  client: Client,
  { retentionDays }: { retentionDays: number },
): Promise<NamespaceReport> {
  const namespace = client.options.namespace;
  const manual: string[] = [];
  const report: NamespaceReport = { namespace: 'exists', retention: '', searchAttributes: '', manual };

  const exists = await namespaceExists(client);
  if (!exists) {
    try {
      await client.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(daysToMs(retentionDays)),
      });
      report.namespace = 'created';
    } catch (err) {
      if (codeOf(err) === status.ALREADY_EXISTS) {
        report.namespace = 'exists';
      } else if (notHere(err)) {
        report.namespace = 'missing';
        manual.push(
          `tcld namespace create --namespace ${namespace} --retention-days ${retentionDays} (or the Cloud UI)`,
        );
        return { ...report, retention: 'unknown', searchAttributes: 'unknown' };
      } else {
        throw err;
      }
    }
    // A new namespace takes a moment to reach every service's cache (the operator API's last).
    await until(
      async () => (await namespaceExists(client)) && (await missingSearchAttributes(client)) !== undefined,
      `namespace ${namespace} to be served`,
    );
  }

  const current = await namespaceRetentionMs(client);
  report.retention = `kept ${formatDays(current)}`;
  if (current < daysToMs(retentionDays)) {
    try {
      await client.workflowService.updateNamespace({
        namespace,
        config: { workflowExecutionRetentionTtl: msToTs(daysToMs(retentionDays)) },
      });
      report.retention = `raised from ${formatDays(current)} to ${formatDays(daysToMs(retentionDays))}`;
    } catch (err) {
      if (!notHere(err)) throw err;
      report.retention = `${formatDays(current)}, shorter than ${formatDays(daysToMs(retentionDays))}`;
      manual.push(`tcld namespace retention set --namespace ${namespace} --retention-days ${retentionDays}`);
    }
  }

  const missing = await missingSearchAttributes(client);
  if (missing.length === 0) {
    report.searchAttributes = 'all present';
  } else {
    try {
      await client.connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedTypes[key.type]])),
      });
      // Usable once the frontend accepts a query on them (its cache lags the write).
      await until(
        async () => (await missingSearchAttributes(client)).length === 0 && (await acceptsQueries(client)),
        'the new search attributes to be usable',
      );
      report.searchAttributes = `created ${missing.map((key) => key.name).join(', ')}`;
    } catch (err) {
      if (!notHere(err)) throw err;
      report.searchAttributes = `missing ${missing.map((key) => key.name).join(', ')}`;
      const flags = missing.map((key) => `--search-attribute "${key.name}=${typeNames[key.type]}"`).join(' ');
      manual.push(`tcld namespace search-attributes add --namespace ${namespace} ${flags}`);
    }
  }
  return report;
}

/** The product's search attributes the namespace lacks (a workflow that writes one would fail every task). */
export async function missingSearchAttributes(client: Client): Promise<typeof customSearchAttributes> {
  try {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
      namespace: client.options.namespace,
    });
    return customSearchAttributes.filter((key) => !(key.name in (customAttributes ?? {})));
  } catch (err) {
    if (!notHere(err)) throw err;
  }
  // Without the operator API (Temporal Cloud), visibility refuses a query on an attribute it does not know.
  const missing: typeof customSearchAttributes = [];
  for (const key of customSearchAttributes) {
    const probe = `${key.name} = ${key.type === 'INT' ? '0' : "'-'"}`;
    const known = await client.workflow.count(probe).then(
      () => true,
      (err: unknown) => {
        if (codeOf(err) === status.INVALID_ARGUMENT) return false;
        throw err;
      },
    );
    if (!known) missing.push(key);
  }
  return missing;
}

async function namespaceExists(client: Client): Promise<boolean> {
  try {
    await client.workflowService.describeNamespace({ namespace: client.options.namespace });
    return true;
  } catch (err) {
    if (codeOf(err) === status.NOT_FOUND) return false;
    throw err;
  }
}

// A query on every custom attribute: the frontend accepts it only once it knows them all.
const probeQuery = customSearchAttributes
  .map((key) => `${key.name} = ${key.type === 'INT' ? '0' : "'-'"}`)
  .join(' AND ');

async function acceptsQueries(client: Client): Promise<boolean> {
  try {
    await client.workflow.count(probeQuery);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
