import { formatBRL } from './money';

/**
 * Four eyes on large payouts (PAYOUT_SECOND_APPROVAL_CENTS): above the threshold a transfer is sent only with
 * approvals from two different operators. Pure, so the payout, the send gate and the tests share one reading.
 */

/** An approval as the decision record keeps it: who, and which transfer (externalId) it covers. */
export interface ApprovalEntry {
  action: string;
  operator: string;
  approves?: string;
}

/** One person, however the name was typed: "Ana", "ana " and "ANA" count once. */
export function operatorKey(operator: string): string {
  return operator.trim().toLowerCase();
}

/** The operators who approved this very transfer, each once, oldest first. */
export function approversOf(entries: readonly ApprovalEntry[], externalId: string): string[] {
  const seen = new Map<string, string>();
  for (const e of entries) {
    if (e.action === 'approve' && e.approves === externalId && !seen.has(operatorKey(e.operator))) {
      seen.set(operatorKey(e.operator), e.operator.trim());
    }
  }
  return [...seen.values()];
}

/**
 * The threshold in force: the lowest of those given (the one a payout was held under, the one configured now).
 * A change of configuration can then ask for a second approval, but never lets a held payout go with one.
 */
export function secondApprovalThreshold(...thresholds: (number | undefined)[]): number | undefined {
  const set = thresholds.filter((t): t is number => t !== undefined);
  return set.length > 0 ? Math.min(...set) : undefined;
}

/** Whether sending this amount needs approvals from two different operators. */
export function needsTwoApprovals(amountCents: number | undefined, thresholdCents: number | undefined): boolean {
  return amountCents !== undefined && thresholdCents !== undefined && amountCents > thresholdCents;
}

/** Why a transfer waits for approvals from two operators, and who has approved it so far. */
export function secondApprovalReason(
  approvers: readonly string[],
  amountCents: number,
  thresholdCents: number,
): string {
  const rule = `two different operators must approve above ${formatBRL(thresholdCents)}`;
  if (approvers.length === 0) return `amount ${formatBRL(amountCents)}: ${rule}`;
  return `${APPROVED_BY}${approvers.join(', ')}, needs a second operator (${rule})`;
}

const APPROVED_BY = 'approved by ';

/** Whether a reason is the "approved by …, needs a second operator" line, which a later approval replaces. */
export function isSecondApprovalReason(reason: string): boolean {
  return reason.startsWith(APPROVED_BY) && reason.includes('needs a second operator');
}
