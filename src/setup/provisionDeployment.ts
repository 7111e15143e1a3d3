import type { Client } from '@temporalio/client';
import { ensurePauseSwitch } from '../decisions/pauseSwitch';
import { provisionNamespace, type NamespaceReport } from '../temporal/provision';

export interface ProvisionReport extends NamespaceReport {
  pauseSwitch: 'started' | 'running' | 'skipped';
}

/**
 * What a deployment needs in Temporal before a worker starts: the namespace (provisionNamespace) and, once the
 * namespace exists, the pause switch running (payouts treat a missing one as paused). Safe to run again.
 */
export async function provisionDeployment(
  client: Client,
  { taskQueue, retentionDays }: { taskQueue: string; retentionDays: number },
): Promise<ProvisionReport> {
  const namespace = await provisionNamespace(client, { retentionDays });
  if (namespace.namespace === 'missing') return { ...namespace, pauseSwitch: 'skipped' };
  return { ...namespace, pauseSwitch: await ensurePauseSwitch(client, taskQueue) };
}
