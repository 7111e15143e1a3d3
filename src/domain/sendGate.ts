import { approversOf, needsTwoApprovals, secondApprovalReason, secondApprovalThreshold } from './fourEyes';
import { dailyMaxReason, transferMaxReason } from './guardrails';
import { owedCents } from './money';
import type { CreditedInvoice, TransferSnapshot } from './types';

/**
 * The one gate where money moves. Everything that must hold when a transfer leaves is checked here, right before
 * the create, failing closed: the decision record, the pause switch, the per-transfer maximum, four eyes above the
 * second-approval threshold, the day's grant and the amount owed now. The payout's own checks only show state
 * early; this is what keeps money safe. The activity `createTransfer` wires Stark Bank and Temporal behind these
 * functions (src/activities/transfers.ts).
 */
export interface GateDeps {
  /** The transfer already made under this externalId (by an earlier attempt), if any. */
  findTransfer(externalId: string): Promise<TransferSnapshot | undefined>;
  /** The invoice as Stark Bank has it now: amount and fee as credited, status, reversals so far. */
  readInvoice(invoiceId: string): Promise<CreditedInvoice>;
  /** The operator's rejection of this invoice, from its decision record; throws when the record cannot be read. */
  readRejection(invoiceId: string): Promise<Rejection | undefined>;
  /** The pause switch; one that cannot be read reads as paused. */
  readPause(): Promise<{ paused: boolean; reason?: string }>;
  /** Today's business day (`YYYY-MM-DD`). */
  today(): string;
  /** Asks the day's budget for this transfer's amount; asking again for the same externalId is granted again. */
  reserve(day: string, request: GrantRequest): Promise<GrantAnswer>;
  /** Gives a grant back to its day; nothing happens when there is none. */
  release(day: string, externalId: string): Promise<void>;
  /** Creates the transfer; throws when Stark Bank refused it, or when its outcome stayed unknown. */
  create(transfer: { invoiceId: string; externalId: string; amount: number }): Promise<TransferSnapshot>;
  /** The most one transfer may send without an operator's approval. */
  maxTransferCents: number;
  /** Above it a transfer needs two different operators' approvals (PAYOUT_SECOND_APPROVAL_CENTS); off when unset. */
  secondApprovalCents?: number;
  /**
   * Every approval of this invoice in its decision record, as recorded (who, and the externalId each covers); throws
   * when the record cannot be read. A gate without it counts none, so four eyes fails closed.
   */
  readApprovals?(invoiceId: string): Promise<{ action: string; operator: string; approves?: string }[]>;
}

export interface GrantRequest {
  externalId: string;
  amount: number;
  /** An operator approved this very transfer going over this day's maximum. */
  approvedOverDailyMax: boolean;
}

export interface GrantAnswer {
  granted: boolean;
  /** What the day adds up to with this transfer, granted or not. */
  totalCents: number;
  maxCents: number;
}

export interface Rejection {
  operator: string;
  at: string;
  note?: string;
}

/**
 * An operator's approval of one transfer (its externalId): it covers the per-transfer maximum and what else the
 * payout's check stopped it for, and, when `day` is set, going over that one business day's maximum.
 */
export interface Approval {
  externalId: string;
  day?: string;
}

export interface SendRequest {
  invoiceId: string;
  externalId: string;
  /** The most this transfer may send: what the payout's check found owed, and an approval covered. */
  maxAmountCents: number;
  approval?: Approval;
  /** The four-eyes threshold the payout is held under: the gate applies the lower of it and its own. */
  secondApprovalCents?: number;
}

/** Why the gate sent nothing. Nothing was reserved or sent when it refuses. */
export type Refusal =
  | { kind: 'rejected'; rejection: Rejection }
  | { kind: 'paused'; reason: string }
  | { kind: 'not-paid'; status: string }
  | { kind: 'over-transfer-max'; amountCents: number; maxCents: number }
  | { kind: 'over-daily-max'; amountCents: number; totalCents: number; maxCents: number; day: string }
  /** Above the four-eyes threshold with fewer than two different operators' approvals on the decision record. */
  | { kind: 'needs-second-approval'; amountCents: number; thresholdCents: number; approvedBy: string[] };

export type SendOutcome =
  /** A transfer exists for the externalId: made now (granted on `day`), or by an earlier attempt. */
  | { outcome: 'sent'; transfer: TransferSnapshot; day?: string }
  /** Reversals left nothing owed: nothing sent, nothing reserved. */
  | { outcome: 'nothing-left'; credited: CreditedInvoice }
  | { outcome: 'refused'; refusal: Refusal };

export async function sendThroughGate(deps: GateDeps, request: SendRequest): Promise<SendOutcome> {
  const { invoiceId, externalId, approval } = request;
  // Money that already left under this key is followed, never sent again, whatever the checks say now.
  const made = await deps.findTransfer(externalId);
  if (made) return { outcome: 'sent', transfer: made };

  // The slow read comes first, so the operator's controls below are read as late as possible.
  const invoice = await deps.readInvoice(invoiceId);
  const approved = approval?.externalId === externalId;
  // The lower of the threshold in force now and the one the payout was held under: no config change lets one pass.
  const fourEyes = secondApprovalThreshold(deps.secondApprovalCents, request.secondApprovalCents);
  const [rejection, pause, approvals] = await Promise.all([
    deps.readRejection(invoiceId),
    deps.readPause(),
    fourEyes === undefined ? [] : (deps.readApprovals?.(invoiceId) ?? []),
  ]);
  if (rejection) return refused({ kind: 'rejected', rejection });
  if (pause.paused) return refused({ kind: 'paused', reason: pause.reason ?? 'an operator paused all payouts' });
  if (invoice.status !== 'paid') return refused({ kind: 'not-paid', status: invoice.status });
  const owed = owedCents(invoice);
  if (owed <= 0) return { outcome: 'nothing-left', credited: invoice };
  const amount = Math.min(owed, request.maxAmountCents);
  if (amount > deps.maxTransferCents && !approved) {
    return refused({ kind: 'over-transfer-max', amountCents: amount, maxCents: deps.maxTransferCents });
  }
  // Four eyes counts what the decision record holds for this very transfer, not what the payout says it was told.
  const approvedBy = approversOf(approvals, externalId);
  if (needsTwoApprovals(amount, fourEyes) && approvedBy.length < 2) {
    return refused({ kind: 'needs-second-approval', amountCents: amount, thresholdCents: fourEyes!, approvedBy });
  }

  // The grant is taken on the day the transfer is created: a day that ends while reserving moves it to the next.
  let day = deps.today();
  for (;;) {
    const grant = await deps.reserve(day, {
      externalId,
      amount,
      approvedOverDailyMax: approved && approval.day === day,
    });
    if (!grant.granted) {
      return refused({
        kind: 'over-daily-max',
        amountCents: amount,
        totalCents: grant.totalCents,
        maxCents: grant.maxCents,
        day,
      });
    }
    const now = deps.today();
    if (now === day) break;
    await deps.release(day, externalId);
    day = now;
  }

  try {
    return { outcome: 'sent', transfer: await deps.create({ invoiceId, externalId, amount }), day };
  } catch (err) {
    // A create that failed may still have committed (a lost answer): the key says. While it cannot be read, the
    // grant stays, as the money may have left.
    const late = await deps.findTransfer(externalId).catch(() => 'unknown' as const);
    if (late === 'unknown') throw err;
    if (late) return { outcome: 'sent', transfer: late, day };
    await deps.release(day, externalId);
    throw err;
  }
}

function refused(refusal: Refusal): SendOutcome {
  return { outcome: 'refused', refusal };
}

/** Why a payout ended Rejected: who rejected its invoice, when, and why. */
export function rejectedReason({ operator, at, note }: Rejection): string {
  return `rejected by ${operator} at ${at}${note ? `: ${note}` : ''}`;
}

/** Why the gate sent nothing, in words for the payout's status. */
export function refusalReason(refusal: Refusal, invoiceId: string): string {
  switch (refusal.kind) {
    case 'rejected':
      return rejectedReason(refusal.rejection);
    case 'paused':
      return refusal.reason;
    case 'not-paid':
      return `invoice ${invoiceId} is ${refusal.status} now, not paid: a person must decide`;
    case 'over-transfer-max':
      return transferMaxReason(refusal.amountCents, refusal.maxCents);
    case 'over-daily-max':
      return dailyMaxReason(refusal.totalCents, refusal.maxCents);
    case 'needs-second-approval':
      return secondApprovalReason(refusal.approvedBy, refusal.amountCents, refusal.thresholdCents);
  }
}
