import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { operatorName, operatorNote } from '../domain/arguments';
import { integer, list, object, oneOf, optional, strictObject, text, type Parsed } from '../domain/schema';

/**
 * The decision record's contract. One record per invoice that an operator decided on, or that needs one: it keeps
 * every operator decision and any open case beyond Temporal's retention, because it never closes (it continues as
 * new instead). Clients import this module, never the workflow.
 */

export const DECISION_RECORD_WORKFLOW_TYPE = 'decisionRecord';

export function decisionRecordWorkflowId(invoiceId: string): string {
  return `decisions-${invoiceId}`;
}

export const OPERATOR_ACTIONS = ['approve', 'reject', 'retry', 'restart', 'acknowledge'] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/**
 * One operator action, as the audit trail keeps it. The record's Update refuses an entry that does not parse, so
 * every entry the audit reads names who decided.
 */
export const decisionEntrySchema = strictObject({
  /** Unique per decision, so a retried write records it once. */
  id: text({ min: 1 }),
  action: oneOf(OPERATOR_ACTIONS),
  operator: operatorName,
  note: operatorNote,
  /** Who sent the request, as Temporal knows it (the client's identity), beside the name given; when known. */
  caller: optional(text()),
  /** ISO time the decision was taken. */
  at: text({ min: 1 }),
  /** The payout's status when the operator decided (`Closed` or `Missing` when it was not running). */
  payoutStatus: text({ min: 1 }),
  /** Why the payout waited for this decision, kept after the payout moves on. */
  heldFor: optional(list(text())),
  /** An approval: the transfer (externalId) it covers; the send gate counts the operators behind each one. */
  approves: optional(text({ min: 1 })),
});
export type DecisionEntry = Parsed<typeof decisionEntrySchema>;

export const CASE_KINDS = [
  'closed-without-transfer',
  'credit-older-than-retention',
  'reversal-loss',
  'sent-despite-rejection',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** Cases about money that already left: only an explicit acknowledgement closes them, never a reject or restart. */
export const ACKNOWLEDGED_CASES: readonly CaseKind[] = ['reversal-loss', 'sent-despite-rejection'];

/** A case to open, as the record's `openCase` Update takes it. */
export const openingCaseSchema = strictObject({
  kind: oneOf(CASE_KINDS),
  reason: text({ min: 1 }),
  /** `reversal-loss`: what left that the payer took back, in cents. */
  lossCents: optional(integer()),
  /** Set by whoever asks to open it, so they can tell whether they opened it or found it open. */
  openedBy: optional(text()),
});

/** An invoice that waits for a person: something no automatic path may act on, listed until a person resolves it. */
export const openCaseSchema = strictObject({
  ...openingCaseSchema.fields,
  /** ISO time the case was opened. */
  since: text(),
});
export type OpenCase = Parsed<typeof openCaseSchema>;

export const decisionRecordStateSchema = object({
  invoiceId: text(),
  entries: list(decisionEntrySchema),
  /** Set by a reject, cleared by a restart: while set, nothing starts a payout of this invoice on its own. */
  rejected: optional(decisionEntrySchema),
  /** At most one of each kind. */
  openCases: list(openCaseSchema),
  /** The loss an operator acknowledged: a reversal case opens again only for a larger one. */
  acknowledgedLossCents: optional(integer()),
});
export type DecisionRecordState = Parsed<typeof decisionRecordStateSchema>;

/** What visibility shows about a record (search attribute `DecisionState`); no personal data. */
export type DecisionState = 'Rejected' | 'NeedsPerson' | 'Decided';

export type DecisionRecordWorkflow = (state: DecisionRecordState) => Promise<void>;

export const recordDecisionUpdate = defineUpdate<DecisionRecordState, [DecisionEntry]>('recordDecision');
export const openCaseUpdate = defineUpdate<DecisionRecordState, [Omit<OpenCase, 'since'>]>('openCase');
export const decisionRecordQuery = defineQuery<DecisionRecordState>('record');

/** The memo key under which a record keeps its state readable without a worker. */
export const RECORD_MEMO_KEY = 'record';

export function decisionStateOf(record: Pick<DecisionRecordState, 'rejected' | 'openCases'>): DecisionState {
  // A case about money that left stays open on a rejected invoice: someone must still see it.
  if (record.openCases.length > 0) return 'NeedsPerson';
  if (record.rejected) return 'Rejected';
  return 'Decided';
}

/** What became of a reversal loss: a case opened now, one already open, or acknowledged by an operator. */
export type LossCase = 'case-opened' | 'case-open' | 'acknowledged';
