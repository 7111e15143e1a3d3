// What `ops payouts` reads from Temporal: payouts by status, one payout's state, what waits for a person.
import {
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { payoutWorkflowId } from '../domain/payoutIds';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../temporal/searchAttributes';
import { listOpenCases } from '../decisions/audit';
import { readDecisionRecord } from '../decisions/records';
import type { DecisionEntry, DecisionRecordState } from '../workflows/decisionRecordDefinitions';
import {
  invoiceIdOfWorkflow,
  payoutListQuery,
  payoutStateQuery,
  WAITS_FOR_PERSON,
  type PayoutState,
  type PayoutStatus,
} from '../workflows/payoutDefinitions';
import { CliError, formatTime } from './output';
import { hasWorker } from './temporalFromEnv';

export interface PayoutRow {
  invoiceId: string;
  status?: string;
  amountCents?: number;
  transferId?: string;
  startedAt: string;
  workflowId: string;
  execution: string;
}

/** How long `payouts show` waits for a worker to answer the state query before it shows what is indexed. */
const QUERY_TIMEOUT_MS = 5_000;

export interface AttentionRow {
  invoiceId: string;
  waiting: string;
  /** What the payout would send (its PayoutAmount), when it is a payout. */
  amountCents?: number;
  /** Why it waits: the payout's reasons (from a worker), or the case's. */
  detail: string;
  since: string;
}

/** What `payouts show` found, and where from: the live state needs a worker, the rest does not. */
export interface Shown {
  source: 'live' | 'result' | 'visibility' | 'record';
  payout?: PayoutState;
  /**
   * Every decision on the invoice, oldest first: the payout's own and its decision record's, once each. The same
   * entries `audit --invoice` lists, so the two agree (a reject after the payout closed, an earlier run's approvals).
   */
  decisions?: DecisionEntry[];
  /** What Temporal indexed, when the state itself cannot be read without a worker. */
  indexed?: PayoutRow;
  note?: string;
  record?: DecisionRecordState;
}

export async function showPayout(client: Client, id: string): Promise<Shown> {
  const handle = client.workflow.getHandle(payoutWorkflowId(id));
  const description = await handle.describe().catch((err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  });
  if (!description) {
    // Temporal forgot the payout (retention): the invoice's decision record outlives it.
    const record = await readDecisionRecord(client, id);
    if (!record) throw new CliError(`no payout for invoice ${id}: none ever started, and no decision was recorded`);
    return { source: 'record', record };
  }
  const execution = description.status.name;
  // A completed payout's result is its final state, read from history: no worker needed.
  if (execution === 'COMPLETED') return withRecord(client, 'result', (await handle.result()) as PayoutState);
  if (execution !== 'RUNNING') {
    const note = `the payout ended ${execution} without a result (payouts restart starts it again)`;
    return { source: 'visibility', indexed: payoutRow(description), note };
  }
  // A worker that stopped a moment ago still looks present: the query gets a short deadline of its own.
  const live =
    (await hasWorker(client, description.taskQueue)) &&
    (await client.connection
      .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(payoutStateQuery))
      .catch((err: unknown) => {
        if (isGrpcDeadlineError(err)) return undefined;
        throw err;
      }));
  if (live) return withRecord(client, 'live', live);
  const note = 'no worker answered, so this is what Temporal indexed; the live state needs a running worker';
  return { source: 'visibility', indexed: payoutRow(description), note };
}

async function withRecord(client: Client, source: 'live' | 'result', payout: PayoutState): Promise<Shown> {
  const record = await readDecisionRecord(client, payout.invoiceId);
  return { source, payout, decisions: allDecisions(payout.decisions, record?.entries ?? []) };
}

/** The payout's decisions and its record's, once each by id (the payout records each under its own id), by time. */
export function allDecisions(payout: DecisionEntry[], recorded: DecisionEntry[]): DecisionEntry[] {
  const byId = new Map(recorded.map((e) => [e.id, e]));
  // The payout's copy knows the caller once the record has it, and a decision not recorded yet.
  for (const e of payout) byId.set(e.id, { ...byId.get(e.id), ...e });
  return [...byId.values()].sort((a, b) => a.at.localeCompare(b.at));
}

function payoutRow(w: Omit<WorkflowExecutionInfo, 'raw'>): PayoutRow {
  const sa = w.typedSearchAttributes;
  return {
    invoiceId: sa.get(InvoiceIdKey) ?? invoiceIdOfWorkflow(w.workflowId),
    status: sa.get(PayoutStatusKey),
    amountCents: sa.get(PayoutAmountKey),
    transferId: sa.get(TransferIdKey),
    startedAt: formatTime(w.startTime),
    workflowId: w.workflowId,
    execution: w.status.name,
  };
}

export async function listPayouts(
  client: Client,
  status: PayoutStatus | undefined,
  limit: number,
): Promise<PayoutRow[]> {
  const rows: PayoutRow[] = [];
  for await (const w of client.workflow.list({ query: payoutListQuery({ status }), pageSize: Math.min(limit, 1000) })) {
    rows.push(payoutRow(w));
    if (rows.length >= limit) break;
  }
  // Visibility pages running payouts first, then closed ones by close time: sorted here by start, newest first.
  return rows.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export async function needingAPerson(client: Client, taskQueue: string): Promise<AttentionRow[]> {
  const rows: AttentionRow[] = [];
  for (const status of WAITS_FOR_PERSON) {
    const query = payoutListQuery({ taskQueue, status, running: true });
    for await (const w of client.workflow.list({ query })) {
      const invoice = w.typedSearchAttributes.get(InvoiceIdKey) ?? invoiceIdOfWorkflow(w.workflowId);
      rows.push({
        invoiceId: invoice,
        waiting: status,
        amountCents: w.typedSearchAttributes.get(PayoutAmountKey),
        detail: 'payouts show for the reason',
        since: formatTime(w.startTime),
      });
    }
  }
  // The reasons live in each payout's state, which a worker answers; without one, the rows still list them.
  if (rows.length > 0 && (await hasWorker(client, taskQueue))) {
    await Promise.all(
      rows.map(async (row) => {
        const state = await client.connection
          .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
            client.workflow.getHandle(payoutWorkflowId(row.invoiceId)).query(payoutStateQuery),
          )
          .catch(() => undefined);
        if (state && state.reasons.length > 0) row.detail = state.reasons.join('; ');
      }),
    );
  }
  for (const c of await listOpenCases(client, taskQueue)) {
    rows.push({ invoiceId: c.invoiceId, waiting: `case: ${c.kind}`, detail: c.reason, since: c.since });
  }
  return rows;
}
