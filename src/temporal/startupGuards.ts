import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { PayloadKeyError, USE_EXISTING_KEYS } from './payloadCodec';
import { missingSearchAttributes, typeNames } from './provision';

// Why a process must not start against this namespace: each check names what to fix.

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
 * Whether this process's payload keys read what the deployment already wrote: the memo of `canaryWorkflowId` (the
 * pause switch, which exists from the first setup on) is the canary. A process with a wrong or missing key would otherwise start and
 * fail every workflow task it touches.
 */
export async function payloadKeyProblem(client: Client, canaryWorkflowId: string): Promise<string | undefined> {
  try {
    await client.workflow.getHandle(canaryWorkflowId).describe();
    return undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    const keyError = [err, err instanceof Error ? err.cause : undefined].find((e) => e instanceof PayloadKeyError);
    if (!keyError) throw err;
    return `the payload keys do not read what this deployment wrote: ${keyError.message} (PAYLOAD_KEYS or PAYLOAD_KEYS_FILE: ${USE_EXISTING_KEYS})`;
  }
}
