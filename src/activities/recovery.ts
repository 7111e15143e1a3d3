import starkbank from 'starkbank';
import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { openCase, readDecisionRecord } from '../decisions/records';
import { reversedCents } from '../domain/money';
import { invoiceIdOfTransfer, invoiceTransfersTag, PAYOUT_TAG, payoutWorkflowId } from '../domain/payoutIds';
import { compareCreditsWithTransfers, type UnpaidAction } from '../domain/reconciliation';
import { createEventDispatcher } from '../events/dispatch';
import { MalformedEventError, parseEvent } from '../events/schema';
import { collect } from '../starkbank/list';
import { invoiceLogSchema, transferSchema, type InvoiceLog, type Transfer } from '../starkbank/schemas';
import type { StarkUser } from '../starkbank/user';
import { lookUpTransferSignal } from '../workflows/payoutDefinitions';
import { starkCall } from './starkCall';
import { reportReversalLoss } from './decisions';
import { sweepUndeliveredEvents, sweepUnprocessableEvents } from '../observability/metrics';
import type { ReconciliationReport, SweepReport } from '../workflows/activityTypes';
import type { DispatchOutcome } from '../domain/types';

export interface RecoveryActivityDeps {
  user: StarkUser;
  client: Client;
  taskQueue: string;
  retentionMs: () => Promise<number>;
  workspaceId?: string;
  now?: () => Date;
}

// JSON-able copy of an SDK event (the SDK turns `created` into a Date).
const sdkEventSchema = z.object({ id: z.string() }).loose();

export function createRecoveryActivities({
  user,
  client,
  taskQueue,
  retentionMs,
  workspaceId,
  now = () => new Date(),
}: RecoveryActivityDeps) {
  const dispatcher = createEventDispatcher({ client, taskQueue, retentionMs, workspaceId, now });

  return {
    /**
     * Stark Bank's recommended safety net for lost webhooks: every undelivered event goes through the same
     * dispatcher the webhook uses, and is marked delivered only after Temporal has it.
     */
    async sweepUndeliveredEvents(): Promise<SweepReport> {
      const events = await starkCall('query undelivered events', () =>
        collect(starkbank.event.query({ isDelivered: false, user }), sdkEventSchema),
      );
      sweepUndeliveredEvents.inc(events.length);
      const report: SweepReport = { undelivered: events.length, outcomes: {}, markedDelivered: 0, unprocessable: [] };
      for (const raw of events) {
        heartbeat(report.markedDelivered);
        let outcome: DispatchOutcome | 'unprocessable';
        try {
          outcome = await dispatcher.dispatch(parseEvent(JSON.parse(JSON.stringify(raw))));
        } catch (err) {
          if (!(err instanceof MalformedEventError)) throw err; // Temporal down: retry the sweep later
          outcome = 'unprocessable';
          report.unprocessable.push({ eventId: raw.id, reason: err.message });
          sweepUnprocessableEvents.inc();
        }
        report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
        await starkCall(`mark event ${raw.id} delivered`, () =>
          starkbank.event.update(raw.id, { isDelivered: true, user }),
        );
        report.markedDelivered++;
      }
      return report;
    },

    /**
     * Compares credited invoices with payout transfers over a lookback window and heals what it can without
     * moving money itself: a credited invoice with no payout gets one started; a running payout is nudged to
     * look its transfer up. Everything else is reported as drift.
     */
    async reconcilePayouts({ lookbackDays }: { lookbackDays: number }): Promise<ReconciliationReport> {
      const since = new Date(now().getTime() - lookbackDays * 86_400_000).toISOString().slice(0, 10);
      const [recentCredits, recentReversals, recentTransfers] = await Promise.all([
        starkCall('query credited invoice logs', () =>
          collect(starkbank.invoice.log.query({ types: ['credited'], after: since, user }), invoiceLogSchema),
        ),
        starkCall('query reversed invoice logs', () =>
          collect(starkbank.invoice.log.query({ types: ['reversed'], after: since, user }), invoiceLogSchema),
        ),
        starkCall('query payout transfers', () =>
          collect(starkbank.transfer.query({ tags: [PAYOUT_TAG], after: since, user }), transferSchema),
        ),
      ]);
      // A reversal in the window of an invoice credited before it: its credit, every reversal and its transfers
      // are read too, so what the books expect of it is known.
      const recentIds = new Set(recentCredits.map((log) => log.invoice.id));
      const older = [...new Set(recentReversals.map((log) => log.invoice.id))].filter((id) => !recentIds.has(id));
      const earlier = await readOlderInvoices(older);
      const credited = [...recentCredits, ...earlier.credits];
      const reversals = [...recentReversals, ...earlier.reversals];
      const transfers = [...new Map([...recentTransfers, ...earlier.transfers].map((t) => [t.id, t])).values()];

      const remaining = new Map<string, number[]>();
      for (const log of reversals)
        remaining.set(log.invoice.id, [...(remaining.get(log.invoice.id) ?? []), log.invoice.amount]);
      const creditedAt = new Map(credited.map((log) => [log.invoice.id, isoOf(log.created)]));
      const findings = compareCreditsWithTransfers(
        credited.map(({ invoice: { id, amount, fee } }) => ({
          invoiceId: id,
          amount,
          fee,
          reversedCents: reversedCents(amount, remaining.get(id) ?? []),
        })),
        transfers.flatMap((t) => {
          const invoiceId = invoiceIdOfTransfer(t);
          return invoiceId ? [{ id: t.id, invoiceId, amount: t.amount, status: t.status }] : [];
        }),
      );
      const unpaid: ReconciliationReport['unpaid'] = [];
      for (const c of findings.unpaid) {
        heartbeat(c.invoiceId);
        const action = await heal({ ...c, created: creditedAt.get(c.invoiceId) });
        unpaid.push({ invoiceId: c.invoiceId, netCents: c.netCents, action });
      }
      // Money that left and came back to the payer: nothing here can undo it, a person is told.
      const reversalLosses: ReconciliationReport['reversalLosses'] = [];
      for (const r of findings.reversalLosses) {
        heartbeat(r.invoiceId);
        reversalLosses.push({ ...r, action: await reportReversalLoss(client, taskQueue, r) });
      }
      return {
        ...findings,
        since,
        credited: credited.length,
        reversed: remaining.size,
        transfers: transfers.length,
        unpaid,
        reversalLosses,
      };
    },
  };

  /** The credited logs, every reversed log and the transfers of invoices credited before the window. */
  async function readOlderInvoices(invoiceIds: string[]) {
    const found = { credits: [] as InvoiceLog[], reversals: [] as InvoiceLog[], transfers: [] as Transfer[] };
    for (let i = 0; i < invoiceIds.length; i += 100) {
      const ids = invoiceIds.slice(i, i + 100);
      const [logs, transfers] = await Promise.all([
        starkCall('query logs of invoices reversed in the window', () =>
          collect(
            starkbank.invoice.log.query({ invoiceIds: ids, types: ['credited', 'reversed'], user }),
            invoiceLogSchema,
          ),
        ),
        starkCall('query transfers of invoices reversed in the window', () =>
          collect(starkbank.transfer.query({ tags: ids.map(invoiceTransfersTag), user }), transferSchema),
        ),
      ]);
      found.credits.push(...logs.filter((log) => log.type === 'credited'));
      found.reversals.push(...logs.filter((log) => log.type === 'reversed'));
      found.transfers.push(...transfers);
    }
    return found;
  }

  /** What a credited invoice without a successful transfer needs; nothing here moves money. */
  async function heal(c: { invoiceId: string; amount: number; fee: number; created?: string }): Promise<UnpaidAction> {
    const handle = client.workflow.getHandle(payoutWorkflowId(c.invoiceId));
    const status = await handle.describe().then(
      (d) => d.status.name,
      (err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      },
    );
    if (status === 'RUNNING') {
      await handle.signal(lookUpTransferSignal);
      return 'payout-nudged';
    }
    // An operator's "no" stands whatever became of the payout: nothing is started or opened for it.
    if ((await readDecisionRecord(client, c.invoiceId))?.rejected) return 'rejected';
    if (status) {
      // Closed without a successful transfer (failed, terminated, found invalid): only a person can say why.
      await openCase(client, taskQueue, c.invoiceId, {
        kind: 'closed-without-transfer',
        reason: `credited but its payout ended ${status} without a successful transfer`,
      });
      return 'needs-person';
    }
    const outcome = await dispatcher.dispatch({
      kind: 'invoice',
      id: `reconcile-${c.invoiceId}`,
      created: c.created,
      log: {
        id: `reconcile-${c.invoiceId}`,
        type: 'credited',
        invoice: { id: c.invoiceId, amount: c.amount, fee: c.fee },
      },
    });
    return outcome === 'credit-too-old' ? 'credit-too-old' : 'payout-started';
  }
}

function isoOf(value: unknown): string | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}
