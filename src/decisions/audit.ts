import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { DecisionStateKey, InvoiceIdKey } from '../temporal/searchAttributes';
import { recordsTaskQueue } from '../temporal/taskQueues';
import { DECISION_RECORD_WORKFLOW_TYPE, RECORD_MEMO_KEY } from '../workflows/decisionRecordDefinitions';
import { describePauseSwitch } from './pauseSwitch';
import { decisionRecordSchema } from './records';

/** One line of the audit trail: who did what, when, why, and what the payout was doing then. */
export interface AuditEntry {
  at: string;
  action: string;
  operator: string;
  note?: string;
  invoiceId?: string;
  payoutStatus?: string;
}

/** An invoice no automatic path will act on until a person does. */
export interface OpenCaseRow {
  invoiceId: string;
  kind: string;
  reason: string;
  since: string;
}

/**
 * Every operator action of this deployment, newest first: decisions from the decision records and pause switch
 * changes from the switch. Both live in workflows that never close, so this outlives Temporal's retention, and it
 * is read from their memos, so no worker is needed.
 */
export async function listAudit(
  client: Client,
  taskQueue: string,
  { invoiceId, limit }: { invoiceId?: string; limit: number },
): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (const record of await decisionRecords(
    client,
    taskQueue,
    invoiceId ? `${InvoiceIdKey.name}="${invoiceId}"` : undefined,
  )) {
    for (const e of record.entries) {
      entries.push({
        at: e.at,
        action: e.action,
        operator: e.operator,
        note: e.note,
        invoiceId: record.invoiceId,
        payoutStatus: e.payoutStatus,
      });
    }
  }
  if (!invoiceId) {
    const pauseSwitch = await describePauseSwitch(client, taskQueue);
    for (const c of pauseSwitch?.state?.changes ?? []) {
      entries.push({ at: c.at, action: c.paused ? 'pause' : 'resume', operator: c.operator, note: c.note });
    }
  }
  return entries.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

/** Invoices whose decision record has a case open for a person. */
export async function listOpenCases(client: Client, taskQueue: string): Promise<OpenCaseRow[]> {
  const records = await decisionRecords(client, taskQueue, `${DecisionStateKey.name}="NeedsPerson"`);
  return records.flatMap((r) => r.openCases.map((c) => ({ invoiceId: r.invoiceId, ...c })));
}

async function decisionRecords(client: Client, taskQueue: string, filter?: string) {
  const query = [
    `WorkflowType="${DECISION_RECORD_WORKFLOW_TYPE}"`,
    `TaskQueue="${recordsTaskQueue(taskQueue)}"`,
    ...(filter ? [filter] : []),
  ].join(' AND ');
  const records: z.infer<typeof decisionRecordSchema>[] = [];
  for await (const w of client.workflow.list({ query })) {
    const parsed = decisionRecordSchema.safeParse(w.memo?.[RECORD_MEMO_KEY]);
    if (parsed.success) records.push(parsed.data);
  }
  return records;
}
