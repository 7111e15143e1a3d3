import type { Client } from '@temporalio/client';

const DAY_MS = 86_400_000;

/** How long the namespace keeps closed workflows, as the server says. */
export async function namespaceRetentionMs(client: Client): Promise<number> {
  const { config } = await client.workflowService.describeNamespace({ namespace: client.options.namespace });
  const ttl = config?.workflowExecutionRetentionTtl;
  if (!ttl) throw new Error(`namespace ${client.options.namespace} reports no retention`);
  return Number(ttl.seconds ?? 0) * 1_000 + Math.floor((ttl.nanos ?? 0) / 1e6);
}

/** The namespace's retention, read once and then every `refreshMs` (it rarely changes). */
export function cachedRetention(client: Client, refreshMs = 10 * 60_000): () => Promise<number> {
  let cached: { at: number; value: Promise<number> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > refreshMs) {
      const entry = { at: Date.now(), value: namespaceRetentionMs(client) };
      entry.value.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached.value;
  };
}

/**
 * Reconciliation may only look back over what Temporal still remembers: a credit older than the retention may
 * have had a payout that is gone, and starting another would forget a rejection or pay twice.
 */
export function lookbackProblem(lookbackDays: number, retentionMs: number, namespace: string): string | undefined {
  if (lookbackDays * DAY_MS < retentionMs) return undefined;
  return (
    `RECONCILE_LOOKBACK_DAYS (${lookbackDays} days) must be shorter than the retention of namespace ${namespace} ` +
    `(${formatDays(retentionMs)}): lower it, or raise the retention (setup raises it to NAMESPACE_RETENTION_DAYS)`
  );
}

export function formatDays(ms: number): string {
  const days = ms / DAY_MS;
  return `${Number.isInteger(days) ? days : days.toFixed(2)} day${days === 1 ? '' : 's'}`;
}

export function daysToMs(days: number): number {
  return days * DAY_MS;
}
