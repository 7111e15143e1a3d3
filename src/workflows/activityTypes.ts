import type { GuardrailLimits } from '../domain/guardrails';
import type { InvoicePlan, IssuedInvoice } from '../domain/issuance';
import type { Findings, ReversalLoss, UnpaidAction } from '../domain/reconciliation';
import type { Rejection, SendOutcome, SendRequest } from '../domain/sendGate';
import type { CreditedInvoice, DispatchOutcome, TransferSnapshot } from '../domain/types';
import type { FinalTransfers } from './dailyBudgetDefinitions';
import type { DecisionEntry, LossCase, OpenCase } from './decisionRecordDefinitions';

/**
 * The activities the workflows call: names, arguments and results. src/activities implements exactly these
 * (createActivities is checked against it), so workflow code depends on this contract, never on the implementation.
 */
export interface Activities {
  // A payout's reads (local activities) and its one write.
  readPayoutFacts(invoiceId: string): Promise<PayoutFacts>;
  lookUpTransfer(transfer: TransferToLookUp): Promise<TransferLookup>;
  settleTransfer(unknown: TransferToLookUp & { unknownSince: string }): Promise<Settled>;
  createTransfer(request: SendRequest): Promise<SendOutcome>;
  /** Whether Stark Bank knows an invoice at all, for a decision on an invoice without a payout. */
  findInvoice(invoiceId: string): Promise<InvoiceFound>;
  // The day's budget.
  releaseDailyBudget(grant: { externalId: string; day?: string }): Promise<void>;
  sumPayoutTransfersOfDay(day: string): Promise<number>;
  finalTransfersOfDay(grants: { day: string; externalIds: string[] }): Promise<FinalTransfers>;
  // The invoice's decision record.
  /** Returns the identity of whoever sent the Update the decision came in, when known. */
  recordDecision(decision: {
    invoiceId: string;
    entry: DecisionEntry;
    acceptedIn?: { runId: string; updateId: string };
  }): Promise<string | undefined>;
  openCase(opening: { invoiceId: string; opened: Omit<OpenCase, 'since'> }): Promise<void>;
  recordReversalLoss(loss: ReversalLoss): Promise<LossCase>;
  // Issuance and recovery.
  createInvoices(batch: { batchId: string; plans: InvoicePlan[] }): Promise<IssuedInvoice[]>;
  sweepUndeliveredEvents(): Promise<SweepReport>;
  reconcilePayouts(window: { lookbackDays: number }): Promise<ReconciliationReport>;
}

/** What a payout's check needs, read at once. */
export interface PayoutFacts {
  /** The invoice as credited, net of reversals so far; undefined while it has no credited log (or none at all). */
  credited?: CreditedInvoice;
  /** Every transfer any run of the payout made, with its attempt number. */
  earlier: (TransferSnapshot & { attempt: number })[];
  /** An operator's rejection on the invoice's decision record. */
  rejected?: Rejection;
  limits: GuardrailLimits;
}

/** What Stark Bank knows of an invoice: nothing (a mistyped id), or its status and whether it was credited. */
export type InvoiceFound = { found: false } | { found: true; status: string; credited: boolean };

/** A transfer as the API has it now; once it succeeded, also what a person may need to know about it. */
export interface TransferLookup {
  transfer: TransferSnapshot | null;
  succeeded?: {
    /** What is owed now (credited − fee − reversed): less than was sent means a reversal loss. */
    owedCents?: number;
    /** A rejection recorded after the send gate let the transfer go. */
    rejected?: Rejection;
  };
}

export interface TransferToLookUp {
  invoiceId: string;
  externalId: string;
}

/** What a send whose outcome is unknown made: its transfer, none for sure, or none yet while a late commit may show. */
export type Settled = TransferLookup | 'none' | 'not-yet';

export interface SweepReport {
  undelivered: number;
  outcomes: Partial<Record<DispatchOutcome | 'unprocessable', number>>;
  markedDelivered: number;
  /** Events that can never be processed: reported once, then marked delivered so no sweep lists them again. */
  unprocessable: { eventId: string; reason: string }[];
}

export interface ReconciliationReport extends Omit<Findings, 'unpaid' | 'reversalLosses'> {
  since: string;
  credited: number;
  /** Invoices with a reversal in the window (their credit may be older). */
  reversed: number;
  transfers: number;
  unpaid: { invoiceId: string; netCents: number; action: UnpaidAction }[];
  reversalLosses: (ReversalLoss & { reversedCents: number; action: LossCase })[];
}
