import { owedCents } from '../domain/money';
import type { GuardrailLimits } from '../domain/guardrails';
import type { Rejection } from '../domain/sendGate';
import type { TransferSnapshot } from '../domain/types';
import type { StarkUser } from '../starkbank/user';
import starkbank from 'starkbank';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorTypes } from '../domain/errorTypes';
import { invoiceSchema } from '../starkbank/schemas';
import { readCreditFromLogs } from './invoices';
import type { InvoiceFound, PayoutFacts, Settled, TransferLookup, TransferToLookUp } from '../workflows/activityTypes';
import { starkCall } from './starkCall';
import { transfersFailed } from '../observability/metrics';

export interface PayoutReadDeps {
  user: StarkUser;
  /** How long after a lost answer a late commit can still appear. */
  lateCommitMs: number;
  now?: () => Date;
  limits: GuardrailLimits;
  readRejection: (invoiceId: string) => Promise<Rejection | undefined>;
  findTransfersOfInvoice: (invoiceId: string) => Promise<(TransferSnapshot & { attempt: number })[]>;
  findTransfer: (externalId: string) => Promise<TransferSnapshot | undefined>;
}

// The failed transfers counted by this process, newest last: a payout stops looking once it learns of a failure,
// but a lookup re-run (a retried local activity, a settle after a failed send) must not count it again.
const countedFailures = new Set<string>();
const COUNTED_FAILURES_KEPT = 10_000;

/** Counts a transfer that ended without paying, once per transfer however often it is looked up. */
function countFailure(transferId: string): void {
  if (countedFailures.has(transferId)) return;
  countedFailures.add(transferId);
  if (countedFailures.size > COUNTED_FAILURES_KEPT) countedFailures.delete(countedFailures.values().next().value!);
  transfersFailed.inc();
}

/**
 * The payout's reads, each one local activity whose Stark Bank and Temporal calls run in parallel: one before
 * sending (the check's facts; the send gate reads again for itself), one per look at its transfer.
 */
export function createPayoutReadActivities(deps: PayoutReadDeps) {
  const { user, limits, lateCommitMs, now = () => new Date() } = deps;

  /** After a success: what is owed now and a late rejection; best effort, reconciliation looks again. */
  async function afterSuccess(invoiceId: string): Promise<TransferLookup['succeeded']> {
    const [credited, rejected] = await Promise.all([
      readCreditFromLogs(user, invoiceId).catch(() => undefined),
      deps.readRejection(invoiceId).catch(() => undefined),
    ]);
    return { owedCents: credited && owedCents(credited), rejected };
  }

  async function lookUp({ invoiceId, externalId }: TransferToLookUp): Promise<TransferLookup> {
    const transfer = (await deps.findTransfer(externalId)) ?? null;
    if (transfer?.status === 'failed' || transfer?.status === 'canceled') countFailure(transfer.id);
    if (transfer?.status !== 'success') return { transfer };
    return { transfer, succeeded: await afterSuccess(invoiceId) };
  }

  return {
    /** The credited invoice, what earlier runs sent, the decision record and the limits, in one read. */
    async readPayoutFacts(invoiceId: string): Promise<PayoutFacts> {
      const [credited, earlier, rejected] = await Promise.all([
        readCreditFromLogs(user, invoiceId),
        deps.findTransfersOfInvoice(invoiceId),
        deps.readRejection(invoiceId),
      ]);
      return { credited, earlier, rejected, limits };
    },

    /**
     * Whether Stark Bank knows the invoice, and whether it was credited: an operator's decision on an invoice
     * without a payout is refused for an unknown one, so a typo never records a decision for ever.
     */
    async findInvoice(invoiceId: string): Promise<InvoiceFound> {
      const [invoice, credited] = await Promise.all([
        starkCall(`get invoice ${invoiceId}`, () => starkbank.invoice.get(invoiceId, { user })).catch(
          (err: unknown) => {
            if (err instanceof ApplicationFailure && err.type === ErrorTypes.notFound) return undefined;
            throw err;
          },
        ),
        readCreditFromLogs(user, invoiceId).catch(() => undefined),
      ]);
      if (!invoice) return { found: false };
      return { found: true, status: invoiceSchema.parse(invoice).status, credited: credited !== undefined };
    },

    /** The transfer of an externalId (null when none), and once it succeeded what a person may need to know. */
    lookUpTransfer(transfer: TransferToLookUp): Promise<TransferLookup> {
      return lookUp(transfer);
    },

    /** After a send whose activity failed: the transfer it made anyway, if any, once a late commit would show. */
    async settleTransfer(unknown: TransferToLookUp & { unknownSince: string }): Promise<Settled> {
      const found = await lookUp(unknown);
      if (found.transfer) return found;
      return now().getTime() - Date.parse(unknown.unknownSince) >= lateCommitMs ? 'none' : 'not-yet';
    },
  };
}
