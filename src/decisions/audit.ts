import type { Client } from '@temporalio/client';
import { DecisionStateKey, InvoiceIdKey } from '../temporal/searchAttributes';
import { recordsTaskQueue } from '../temporal/taskQueues';
import { describeIssues, safeParse } from '../domain/schema';
import {
  DECISION_RECORD_WORKFLOW_TYPE,
  decisionEntrySchema,
  decisionRecordStateSchema,
  RECORD_MEMO_KEY,
  type DecisionRecordState,
} from '../workflows/decisionRecordDefinitions';
import { describePauseSwitch } from './pauseSwitch';

/** One line of the audit trail: who did what, when, why, and what the payout was doing then. */
export interface AuditEntry {
  at: string;
  action: string;
  operator: string;
  /** Who sent the request, as Temporal knows it, when known. */
  caller?: string;
  note?: string;
  invoiceId?: string;
  payoutStatus?: string;
  /** The invoice schedule acted on (`schedule-pause`, `schedule-resume`, `schedule-trigger`). */
  scheduleId?: string;
}

/** An invoice no automatic path will act on until a person does. */
export interface OpenCaseRow {
  invoiceId: string;
  kind: string;
  reason: string;
  since: string;
}

/**
 * Every operator action of this deployment, newest first: decisions from the decision records, and pause switch
 * changes and invoice schedule actions from the switch. Both live in workflows that never close, so this outlives Temporal's retention, and it
 * is read from their memos, so no worker is needed.
 */
export async function listAudit(
  client: Client,
  taskQueue: string,
  { invoiceId, limit }: { invoiceId?: string; limit: number },
): Promise<AuditEntry[]> {
  const filter = invoiceId ? `${InvoiceIdKey.name}="${invoiceId}"` : undefined;
  const entries: AuditEntry[] = (await decisionRecords(client, taskQueue, filter)).flatMap((read) =>
    read.ok ? read.record.entries.map((e) => ({ ...e, invoiceId: read.record.invoiceId })) : read.entries,
  );
  if (!invoiceId) {
    const pauseSwitch = await describePauseSwitch(client, taskQueue);
    for (const c of pauseSwitch?.state?.changes ?? []) {
      const action = c.paused ? 'pause' : 'resume';
      entries.push({ at: c.at, action, operator: c.operator, caller: c.caller, note: c.note });
    }
    for (const a of pauseSwitch?.state?.scheduleActions ?? []) {
      const paused = a.schedulePaused ? 'while the schedule was paused' : undefined;
      const note = [a.note, paused].filter(Boolean).join('; ') || undefined;
      entries.push({
        at: a.at,
        action: `schedule-${a.action}`,
        operator: a.operator,
        caller: a.caller,
        note,
        scheduleId: a.scheduleId,
      });
    }
  }
  return entries
    .map(({ at, action, operator, caller, note, invoiceId: invoice, payoutStatus, scheduleId }) => ({
      at,
      action,
      operator,
      caller,
      note,
      invoiceId: invoice,
      payoutStatus,
      scheduleId,
    }))
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, limit);
}

/** Invoices whose decision record has a case open for a person. */
export async function listOpenCases(client: Client, taskQueue: string): Promise<OpenCaseRow[]> {
  const reads = await decisionRecords(client, taskQueue, `${DecisionStateKey.name}="NeedsPerson"`);
  return reads.flatMap((read) =>
    read.ok
      ? read.record.openCases.map((c) => ({ invoiceId: read.record.invoiceId, ...c }))
      : [{ invoiceId: read.invoiceId, kind: 'unreadable', reason: read.why, since: '-' }],
  );
}

/** A record read from its memo; one that does not parse still shows every entry it has, flagged, never dropped. */
type RecordRead =
  { ok: true; record: DecisionRecordState } | { ok: false; invoiceId: string; why: string; entries: AuditEntry[] };

async function decisionRecords(client: Client, taskQueue: string, filter?: string): Promise<RecordRead[]> {
  const query = [
    `WorkflowType="${DECISION_RECORD_WORKFLOW_TYPE}"`,
    `TaskQueue="${recordsTaskQueue(taskQueue)}"`,
    ...(filter ? [filter] : []),
  ].join(' AND ');
  const reads: RecordRead[] = [];
  for await (const w of client.workflow.list({ query })) {
    const raw = w.memo?.[RECORD_MEMO_KEY];
    // A record whose first workflow task has not run yet has no memo, and nothing in it.
    if (raw === undefined) continue;
    const parsed = safeParse(decisionRecordStateSchema, raw);
    if (parsed.success) {
      reads.push({ ok: true, record: parsed.data });
      continue;
    }
    const invoiceId = w.typedSearchAttributes.get(InvoiceIdKey) ?? w.workflowId;
    reads.push({
      ok: false,
      invoiceId,
      why: describeIssues(parsed.issues),
      entries: unreadableEntries(invoiceId, raw),
    });
  }
  return reads;
}

/** The entries of a record that does not parse: each shown as far as it can be read, with what is wrong with it. */
function unreadableEntries(invoiceId: string, raw: unknown): AuditEntry[] {
  const list = (raw as { entries?: unknown } | null)?.entries;
  const rows = Array.isArray(list) ? list : [undefined];
  return rows.map((e: unknown) => {
    const parsed = safeParse(decisionEntrySchema, e);
    if (parsed.success) return { ...parsed.data, invoiceId };
    const loose = (e ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
    return {
      at: text(loose.at) ?? '-',
      action: text(loose.action) ?? 'unreadable',
      operator: text(loose.operator) ?? '(none recorded)',
      invoiceId,
      note: `unreadable entry: ${describeIssues(parsed.issues)}`,
    };
  });
}
