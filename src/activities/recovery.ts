import starkbank from 'starkbank';
import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { invoiceIdOfTransfer, PAYOUT_TAG, payoutWorkflowId } from '../domain/payoutIds';
import { compareCreditsWithTransfers, type Findings } from '../domain/reconciliation';
import { createEventDispatcher, type DispatchOutcome } from '../events/dispatch';
import { MalformedEventError, parseEvent } from '../events/schema';
import { collect } from '../starkbank/list';
import { invoiceLogSchema, transferSchema } from '../starkbank/schemas';
import type { StarkUser } from '../starkbank/user';
import { transferUpdatedSignal } from '../workflows/payoutDefinitions';
import { starkCall } from './starkCall';
import { reconciliationCents, reconciliationDrift } from '../observability/metrics';

function recordReconciliation(f: Findings): void {
  reconciliationDrift.set({ kind: 'unpaid' }, f.unpaid.length);
  reconciliationDrift.set({ kind: 'sent_without_credit' }, f.sentWithoutCredit.length);
  reconciliationDrift.set({ kind: 'amount_mismatch' }, f.amountMismatches.length);
  reconciliationDrift.set({ kind: 'duplicate' }, f.duplicates.length);
  reconciliationCents.set({ side: 'credited_net' }, f.creditedNetCents);
  reconciliationCents.set({ side: 'sent' }, f.sentCents);
}

export interface RecoveryActivityDeps {
  user: StarkUser;
  client: Client;
  taskQueue: string;
  now?: () => Date;
}

export interface SweepReport {
  undelivered: number;
  outcomes: Partial<Record<DispatchOutcome | 'malformed', number>>;
  markedDelivered: number;
}

export interface ReconciliationReport extends Omit<Findings, 'unpaid'> {
  since: string;
  credited: number;
  transfers: number;
  unpaid: { invoiceId: string; action: 'payout-started' | 'payout-nudged' | 'payout-closed' }[];
}

// JSON-able copy of an SDK event (the SDK turns `created` into a Date).
const sdkEventSchema = z.object({ id: z.string() }).loose();

export function createRecoveryActivities({ user, client, taskQueue, now = () => new Date() }: RecoveryActivityDeps) {
  const dispatcher = createEventDispatcher({ client, taskQueue });

  return {
    /**
     * Stark Bank's recommended safety net for lost webhooks: every undelivered event goes through the same
     * dispatcher the webhook uses, and is marked delivered only after Temporal has it.
     */
    async sweepUndeliveredEvents(): Promise<SweepReport> {
      const events = await starkCall('query undelivered events', () =>
        collect(starkbank.event.query({ isDelivered: false, user }), sdkEventSchema),
      );
      const report: SweepReport = { undelivered: events.length, outcomes: {}, markedDelivered: 0 };
      for (const raw of events) {
        heartbeat(report);
        let outcome: DispatchOutcome | 'malformed';
        try {
          outcome = await dispatcher.dispatch(parseEvent(JSON.parse(JSON.stringify(raw))));
        } catch (err) {
          if (!(err instanceof MalformedEventError)) throw err; // Temporal down: retry the sweep later
          outcome = 'malformed';
        }
        report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
        if (outcome === 'malformed') continue;
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
      const [credited, transfers] = await Promise.all([
        starkCall('query credited invoice logs', () =>
          collect(starkbank.invoice.log.query({ types: ['credited'], after: since, user }), invoiceLogSchema),
        ),
        starkCall('query payout transfers', () =>
          collect(starkbank.transfer.query({ tags: [PAYOUT_TAG], after: since, user }), transferSchema),
        ),
      ]);
      const findings = compareCreditsWithTransfers(
        credited.map((log) => ({ invoiceId: log.invoice.id, amount: log.invoice.amount, fee: log.invoice.fee })),
        transfers.flatMap((t) => {
          const invoiceId = invoiceIdOfTransfer(t);
          return invoiceId ? [{ id: t.id, invoiceId, amount: t.amount, status: t.status }] : [];
        }),
      );
      const unpaid: ReconciliationReport['unpaid'] = [];
      for (const c of findings.unpaid) {
        heartbeat(c.invoiceId);
        unpaid.push({ invoiceId: c.invoiceId, action: await heal(c) });
      }
      recordReconciliation(findings);
      return { ...findings, since, credited: credited.length, transfers: transfers.length, unpaid };
    },
  };

  async function heal(c: { invoiceId: string; amount: number; fee: number }) {
    const handle = client.workflow.getHandle(payoutWorkflowId(c.invoiceId));
    try {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') return 'payout-closed' as const;
      await handle.signal(transferUpdatedSignal, {
        eventId: `reconcile-${now().toISOString()}`,
        transferId: '',
        status: 'unknown',
      });
      return 'payout-nudged' as const;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    await dispatcher.dispatch({
      kind: 'invoice',
      id: `reconcile-${c.invoiceId}`,
      log: {
        id: `reconcile-${c.invoiceId}`,
        type: 'credited',
        invoice: { id: c.invoiceId, amount: c.amount, fee: c.fee },
      },
    });
    return 'payout-started' as const;
  }
}
