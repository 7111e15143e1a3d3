import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { LRUCache } from 'lru-cache';
import { openCase } from '../decisions/records';
import { invoiceIdOfTransfer, payoutWorkflowId } from '../domain/payoutIds';
import { FINAL_TRANSFER_STATUSES, type DispatchOutcome } from '../domain/types';
import { formatDays } from '../temporal/namespace';
import { InvoiceIdKey, PayoutStatusKey } from '../temporal/searchAttributes';
import {
  invoiceCreditedSignal,
  PAYOUT_WORKFLOW_TYPE,
  transferUpdatedSignal,
  type CreditedEvent,
  type PayoutInput,
  type PayoutWorkflow,
} from '../workflows/payoutDefinitions';
import type { ParsedEvent } from './schema';

// Clocks differ: a credit this close to the retention is treated as too old.
const RETENTION_MARGIN_MS = 60 * 60_000;

export interface DispatcherDeps {
  client: Client;
  taskQueue: string;
  /** The namespace's retention: a credit older than this may have had a payout Temporal no longer remembers. */
  retentionMs: () => Promise<number>;
  /** When set, events of any other workspace are acknowledged and dropped, starting nothing. */
  workspaceId?: string;
  /**
   * Upper bound for each Temporal call, so a down cluster fails a request (and Stark Bank retries): inside the
   * time Stark Bank waits for an answer, yet long enough for a burst queued behind a busy cluster.
   */
  temporalTimeoutMs?: number;
  /**
   * How many event ids this process remembers as handed to Temporal (0: none). Stark Bank delivers at least once,
   * and a redelivery of a remembered id is answered at once, without another signal: each one costs the cluster a
   * history write and the payout a workflow task. The payout's own list of event ids stays the durable dedupe; this
   * only spares the work for what this process has already seen.
   */
  rememberedEvents?: number;
  now?: () => Date;
}

/**
 * Hands a verified event to Temporal. The one entry point for events, whether they come from the webhook, the
 * sweep of undelivered events or reconciliation. It never moves money; it only starts or signals payouts, with one
 * Temporal call per event, and never one whose credit is older than Temporal's memory. A payout honours the
 * invoice's decision record itself (its check ends it Rejected, and its send gate refuses to send).
 * Throws when Temporal cannot be reached, so the caller answers 5xx and the event is delivered again.
 */
export function createEventDispatcher({
  client,
  taskQueue,
  retentionMs,
  workspaceId,
  temporalTimeoutMs = 10_000,
  rememberedEvents = 10_000,
  now = () => new Date(),
}: DispatcherDeps) {
  // The hand-off in flight or done, per event id: concurrent copies of one event share a single Temporal call.
  const handedOff =
    rememberedEvents > 0 ? new LRUCache<string, Promise<DispatchOutcome>>({ max: rememberedEvents }) : undefined;
  const withDeadline = <T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + temporalTimeoutMs, fn);

  async function creditedInvoice(event: Extract<ParsedEvent, { kind: 'invoice' }>): Promise<DispatchOutcome> {
    const { invoice } = event.log;
    const retention = await retentionMs();
    const age = event.created ? now().getTime() - Date.parse(event.created) : 0;
    if (age >= retention - RETENTION_MARGIN_MS) {
      await withDeadline(() =>
        openCase(client, taskQueue, invoice.id, {
          kind: 'credit-older-than-retention',
          reason:
            `credited ${event.created}, older than the ${formatDays(retention)} Temporal keeps payouts: ` +
            'an earlier payout may be gone, so only an operator can start this one (ops payouts restart)',
        }),
      );
      return 'credit-too-old';
    }
    try {
      await withDeadline(() =>
        client.workflow.signalWithStart<PayoutWorkflow, [CreditedEvent]>(PAYOUT_WORKFLOW_TYPE, {
          workflowId: payoutWorkflowId(invoice.id),
          taskQueue,
          args: [{ invoiceId: invoice.id } satisfies PayoutInput],
          // One payout per invoice: a running one is signalled, a closed one is never started again.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'USE_EXISTING',
          signal: invoiceCreditedSignal,
          signalArgs: [{ eventId: event.id, amount: invoice.amount, fee: invoice.fee, workspaceId: event.workspaceId }],
          staticSummary: `Payout of credited invoice ${invoice.id}`,
          typedSearchAttributes: [
            { key: InvoiceIdKey, value: invoice.id },
            { key: PayoutStatusKey, value: 'Received' },
          ],
        }),
      );
      return 'payout-started-or-signaled';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'payout-already-closed';
      throw err;
    }
  }

  async function transferUpdate(event: Extract<ParsedEvent, { kind: 'transfer' }>): Promise<DispatchOutcome> {
    const { transfer } = event.log;
    const invoiceId = invoiceIdOfTransfer(transfer);
    if (!invoiceId) return 'transfer-not-ours';
    // created/processing change nothing for the payout: not signalling them spares a history write each.
    if (!FINAL_TRANSFER_STATUSES.includes(transfer.status)) return 'transfer-progress-ignored';
    try {
      await withDeadline(() =>
        client.workflow
          .getHandle(payoutWorkflowId(invoiceId))
          .signal(transferUpdatedSignal, { eventId: event.id, transferId: transfer.id, status: transfer.status }),
      );
      return 'transfer-signaled';
    } catch (err) {
      // Closed or unknown payout: it already followed its transfer to the end, nothing to tell it.
      if (err instanceof WorkflowNotFoundError) return 'payout-not-running';
      throw err;
    }
  }

  async function route(event: ParsedEvent): Promise<DispatchOutcome> {
    if (workspaceId && event.workspaceId && event.workspaceId !== workspaceId) return 'other-workspace';
    if (event.kind === 'invoice' && event.log.type === 'credited') return creditedInvoice(event);
    if (event.kind === 'transfer') return transferUpdate(event);
    return 'ignored';
  }

  return {
    async dispatch(event: ParsedEvent): Promise<DispatchOutcome> {
      const earlier = handedOff?.get(event.id);
      if (earlier) {
        await earlier; // a failed first hand-off fails its copies too, so Stark Bank delivers again
        return 'duplicate-delivery';
      }
      const handoff = route(event);
      if (handedOff) {
        handedOff.set(event.id, handoff);
        // Only a completed hand-off is remembered: after a failure the next copy must try again.
        handoff.catch(() => {
          if (handedOff.get(event.id) === handoff) handedOff.delete(event.id);
        });
      }
      return handoff;
    },
  };
}

export type EventDispatcher = ReturnType<typeof createEventDispatcher>;
