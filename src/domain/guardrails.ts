import { needsTwoApprovals, secondApprovalReason } from './fourEyes';
import { formatBRL } from './money';

export interface GuardrailLimits {
  maxAmountCents: number;
  dailyMaxCents: number;
  /** Above it a payout needs approvals from two different operators (PAYOUT_SECOND_APPROVAL_CENTS); off when unset. */
  secondApprovalCents?: number;
  /** When set, events from any other workspace are anomalies. */
  workspaceId?: string;
}

export interface GuardrailInput {
  /** What the API says was credited (source of truth). */
  credited: { amount: number; fee: number };
  /** What the webhook event said, when the payout came from one. */
  event?: { amount: number; fee?: number; workspaceId?: string };
  netCents: number;
}

/**
 * Reasons a payout must wait for an operator instead of sending money on its own. Empty = go. The daily maximum
 * is not here: the send gate checks it against the day's budget right before the transfer is created.
 * (A fee at or above the amount never reaches here: nothing is left to send, so no transfer is made.)
 */
export function guardrailViolations(input: GuardrailInput, limits: GuardrailLimits): string[] {
  const reasons: string[] = [];
  const { credited, event, netCents } = input;
  if (netCents > limits.maxAmountCents) reasons.push(transferMaxReason(netCents, limits.maxAmountCents));
  if (needsTwoApprovals(netCents, limits.secondApprovalCents)) {
    reasons.push(secondApprovalReason([], netCents, limits.secondApprovalCents!));
  }
  if (event && (event.amount !== credited.amount || (event.fee !== undefined && event.fee !== credited.fee))) {
    const fee = event.fee === undefined ? '' : ` (fee ${formatBRL(event.fee)})`;
    reasons.push(
      `event said ${formatBRL(event.amount)}${fee} but the API says ${formatBRL(credited.amount)} (fee ${formatBRL(credited.fee)})`,
    );
  }
  if (limits.workspaceId && event?.workspaceId && event.workspaceId !== limits.workspaceId) {
    reasons.push(`event came from workspace ${event.workspaceId}, expected ${limits.workspaceId}`);
  }
  return reasons;
}

/** Why a transfer waits for approval above the per-transfer maximum. */
export function transferMaxReason(amountCents: number, maxCents: number): string {
  return `amount ${formatBRL(amountCents)} is above the per-transfer maximum ${formatBRL(maxCents)}`;
}

/** Why a transfer waits for approval when the day's budget refused it. */
export function dailyMaxReason(totalCents: number, maxCents: number): string {
  return `today's total would be ${formatBRL(totalCents)}, above the daily maximum ${formatBRL(maxCents)}`;
}
