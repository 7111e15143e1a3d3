import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { ensurePauseSwitch } from '../decisions/pauseSwitch';
import { pauseSwitchWorkflowId } from '../workflows/pauseSwitchDefinitions';
import { daysToMs, formatDays, namespaceRetentionMs } from './namespace';
import { PayloadKeyError } from './payloadCodec';
import { customSearchAttributes } from './searchAttributes';

export interface ProvisionReport {
  namespace: 'created' | 'exists' | 'missing';
  retention: string;
  searchAttributes: string;
  pauseSwitch: 'started' | 'running' | 'skipped';
  /** What this cluster would not let setup do itself (Temporal Cloud): the exact commands for a person. */
  manual: string[];
}

// gRPC status codes (the grpc-js enum is not a dependency of ours).
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const codeOf = (err: unknown) => (isGrpcServiceError(err) ? Number(err.code) : undefined);
/** The cluster manages this elsewhere (Temporal Cloud: tcld or the Cloud UI), not through this API. */
const notHere = (err: unknown) => [PERMISSION_DENIED, UNIMPLEMENTED].includes(codeOf(err) ?? -1);

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const indexedTypes = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
} as const;
const typeNames = { KEYWORD: 'Keyword', INT: 'Int' } as const;

/**
 * Everything the product needs of its Temporal namespace before a worker starts, created where the cluster lets
 * setup do it (a self-hosted server, the dev server) and printed as commands where it does not (Temporal Cloud):
 * the namespace, a retention at least `retentionDays` (raised, never lowered), the product's search attributes,
 * and the pause switch running (payouts treat a missing one as paused). Safe to run again at any time.
 */
export async function provisionNamespace(
  client: Client,
  { taskQueue, retentionDays }: { taskQueue: string; retentionDays: number },
): Promise<ProvisionReport> {
  const namespace = client.options.namespace;
  const manual: string[] = [];
  const report: ProvisionReport = {
    namespace: 'exists',
    retention: '',
    searchAttributes: '',
    pauseSwitch: 'skipped',
    manual,
  };

  const exists = await namespaceExists(client);
  if (!exists) {
    try {
      await client.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(daysToMs(retentionDays)),
      });
      report.namespace = 'created';
    } catch (err) {
      if (codeOf(err) === ALREADY_EXISTS) {
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

  report.pauseSwitch = await ensurePauseSwitch(client, taskQueue);
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
        if (codeOf(err) === INVALID_ARGUMENT) return false;
        throw err;
      },
    );
    if (!known) missing.push(key);
  }
  return missing;
}

/** Why a process that writes `written` must not start, or undefined when the namespace has them all. */
export async function searchAttributeProblem(
  client: Client,
  written: readonly { name: string; type: keyof typeof typeNames }[],
): Promise<string | undefined> {
  const missing = (await missingSearchAttributes(client)).filter((key) => written.some((w) => w.name === key.name));
  if (missing.length === 0) return undefined;
  const names = missing.map((key) => `${key.name} (${typeNames[key.type]})`).join(', ');
  return (
    `namespace ${client.options.namespace} has no search attribute ${names}, which this process writes: ` +
    'run setup (npm run ops -- setup), or create it as docs/deployment.md says'
  );
}

/**
 * Whether this process's payload keys read what the deployment already wrote: the pause switch's memo is the
 * canary (it exists from the first setup on). A process with a wrong or missing key would otherwise start and
 * fail every workflow task it touches.
 */
export async function payloadKeyProblem(client: Client, taskQueue: string): Promise<string | undefined> {
  try {
    await client.workflow.getHandle(pauseSwitchWorkflowId(taskQueue)).describe();
    return undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    const keyError = [err, err instanceof Error ? err.cause : undefined].find((e) => e instanceof PayloadKeyError);
    if (!keyError) throw err;
    return `the payload keys do not read what this deployment wrote: ${keyError.message} (check PAYLOAD_KEYS)`;
  }
}

async function namespaceExists(client: Client): Promise<boolean> {
  try {
    await client.workflowService.describeNamespace({ namespace: client.options.namespace });
    return true;
  } catch (err) {
    if (codeOf(err) === NOT_FOUND) return false;
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
