import { allHandlersFinished } from '@temporalio/workflow';
import { Backoff } from '../domain/backoff';
import { guardrailViolations } from '../domain/guardrails';
import { owedCents } from '../domain/money';
import { nothingLeftReason } from '../domain/payoutAmounts';
import { transferExternalId } from '../domain/payoutIds';
import { refusalReason, rejectedReason, type Refusal } from '../domain/sendGate';
import type { TransferLookup } from './activityTypes';
import { FINAL_TRANSFER_STATUSES, type TransferSnapshot } from '../domain/types';
import { afterSuccess } from './afterSuccess';
import { reads, transfers, writes } from './payoutActivities';
import { PayoutProgress } from './payoutProgress';
import { readFacts } from './readFacts';
import { setbackOf } from './setback';
import { handlePayoutMessages } from './payoutMessages';
import { type PayoutInput, type PayoutState, type PayoutStep, type StepNamed } from './payoutDefinitions';

/**
 * One payout per credited invoice (workflow id `payout-<invoiceId>`): check the credited invoice, send one transfer
 * through the send gate, follow it to its end. Whatever cannot proceed waits, visibly, for a person, who is offered
 * only decisions the money can honour. The payout never fails, and a long wait continues as new.
 */
export async function payout(input: PayoutInput): Promise<PayoutState> {
  const { invoiceId } = input;
  const progress = new PayoutProgress(input);
  handlePayoutMessages(progress, invoiceId);
  const outage = new Backoff(30, 600);
  const paused = new Backoff(30, 1_800);
  const maxPollSeconds = input.poll?.maxSeconds ?? 600;
  const steps = { check, send, settle, follow, waitForPerson };

  while (progress.step.name !== 'done') progress.goTo(await run(progress.step));
  return progress.state;

  /** Runs one step. A failure becomes a wait: for an outage to pass, or for a person. */
  async function run(step: PayoutStep): Promise<PayoutStep> {
    try {
      const next = step.name === 'done' ? step : await steps[step.name](step as never);
      progress.retrying(undefined);
      outage.reset();
      return next;
    } catch (err) {
      const setback = setbackOf(err);
      if (setback.kind === 'transient') {
        progress.retrying(setback.message); // Stark Bank or Temporal is down: nobody needs to act
        await progress.wait(() => false, outage.next());
        return step;
      }
      // A send that failed may still have made its transfer: that is settled before anything is offered.
      if (step.name === 'send')
        return { ...step, name: 'settle', since: new Date().toISOString(), failure: setback.message };
      // A lookup failed: the transfer (or one an earlier run made) may still succeed, so only "look again".
      const again = step.name === 'follow' ? { ...step, lookNow: true } : step;
      return progress.waitForPerson('NeedsAttention', ['retry'], [setback.message], again);
    }
  }

  /** Reads the credited invoice, takes over what earlier runs sent, and applies the guardrails. */
  async function check(): Promise<PayoutStep> {
    const { credited, earlier, rejected, limits } = await readFacts(progress, input);
    if (!credited) return progress.end('Invalid', [`invoice ${invoiceId} does not exist or was never credited`]);
    progress.noteCredited(credited);
    // An earlier run of this payout (restarted, or gone with Temporal's retention) may have sent already.
    for (const t of earlier) progress.recordAttempt(t.attempt, t);
    const live =
      earlier.find((t) => t.status === 'success') ?? earlier.find((t) => !FINAL_TRANSFER_STATUSES.includes(t.status));
    const owed = owedCents(credited);
    progress.holdUnder(limits.secondApprovalCents);
    if (live?.status === 'success') {
      progress.noteTransfer(live.attempt, live);
      return succeeded(live, { owedCents: owed, rejected }, [`transfer ${live.id} was made by an earlier run`]);
    }
    if (live) return following(live.attempt, { transfer: live });
    if (rejected) return progress.end('Rejected', [rejectedReason(rejected)]);
    if (owed <= 0) return progress.end('NothingToSend', [nothingLeftReason(credited)]);
    const send = sendStep(Math.max(0, ...earlier.map((t) => t.attempt)) + 1);
    const violations = guardrailViolations({ credited, event: progress.data.creditedEvent, netCents: owed }, limits);
    if (violations.length === 0) return send;
    const approves = { externalId: transferExternalId(invoiceId, send.attempt) };
    return progress.waitForPerson('AwaitingApproval', ['approve', 'reject'], violations, send, { approves });
  }

  /** Sends through the gate, which checks all that must hold when money moves; the payout only shows it. */
  async function send(step: StepNamed<'send'>): Promise<PayoutStep> {
    const externalId = transferExternalId(invoiceId, step.attempt);
    if (progress.state.status !== 'Paused') progress.setStatus('Sending');
    const maxAmountCents = progress.state.sendCents!;
    // With the four-eyes threshold the payout is held under: the gate applies the lower of it and the config's own.
    const { secondApprovalCents } = progress.data;
    const request = { invoiceId, externalId, maxAmountCents, approval: step.approval, secondApprovalCents };
    progress.consumeNews(); // a resume heard while the gate reads the switch wakes the wait that follows
    const result = await transfers.createTransfer(request);
    if (result.outcome === 'sent') return following(step.attempt, { transfer: result.transfer, day: result.day });
    if (result.outcome === 'nothing-left') {
      progress.noteCredited(result.credited);
      return progress.end('NothingToSend', [nothingLeftReason(result.credited)]);
    }
    return refused(result.refusal, step, externalId);
  }

  async function refused(refusal: Refusal, step: StepNamed<'send'>, externalId: string): Promise<PayoutStep> {
    const why = [refusalReason(refusal, invoiceId)];
    if (refusal.kind === 'rejected') return progress.end('Rejected', why);
    if (refusal.kind === 'paused') {
      progress.setStatus('Paused', why);
      await progress.wait(() => progress.hasNews(), paused.next()); // resume wakes it at once
      return step;
    }
    if (refusal.kind === 'not-paid') return progress.waitForPerson('NeedsAttention', ['retry', 'reject'], why, step);
    if (refusal.kind === 'needs-second-approval') progress.holdUnder(refusal.thresholdCents);
    const approves = { externalId, ...(refusal.kind === 'over-daily-max' && { day: refusal.day }) };
    return progress.waitForPerson('AwaitingApproval', ['approve', 'reject'], why, step, { approves });
  }

  /** After a send failed: its transfer may have been made anyway, which only its externalId can tell. */
  async function settle(step: StepNamed<'settle'>): Promise<PayoutStep> {
    const externalId = transferExternalId(invoiceId, step.attempt);
    const found = await reads.settleTransfer({ invoiceId, externalId, unknownSince: step.since });
    if (found === 'not-yet') {
      await progress.wait(() => false, Math.min(10, maxPollSeconds));
      return step;
    }
    if (found !== 'none') return following(step.attempt, { ...found, transfer: found.transfer! });
    // Nothing was made: a grant the failed send may still hold goes back, and either decision is safe.
    await writes.releaseDailyBudget({ externalId });
    return progress.waitForPerson('NeedsAttention', ['retry', 'reject'], [step.failure], sendStep(step.attempt));
  }

  /** Follows a transfer to a final status: its events wake the payout early, polling is the fallback. */
  async function follow(step: StepNamed<'follow'>): Promise<PayoutStep> {
    const { attempt, transfer } = step;
    if (step.lookNow) return lookUp(step);
    progress.noteTransfer(attempt, transfer);
    if (transfer.status === 'success') return succeeded(transfer, step.succeeded);
    if (transfer.status === 'failed' || transfer.status === 'canceled') {
      await writes.releaseDailyBudget({ externalId: transfer.externalId, day: step.day });
      // A failed transfer never succeeds later: a retry makes a new one under the next attempt's externalId.
      const why = transfer.failureReason ?? `transfer ${transfer.id} ${transfer.status}`;
      return progress.waitForPerson('TransferFailed', ['retry', 'reject'], [why], sendStep(attempt + 1));
    }
    if (transfer.status === 'unknown') {
      const why = `transfer ${transfer.id} has status "${transfer.rawStatus}", which the product does not know`;
      return progress.waitForPerson('NeedsAttention', ['retry'], [why], { ...step, lookNow: true });
    }
    await progress.wait(() => progress.hasNews(transfer.id), step.pollSeconds);
    progress.consumeNews(transfer.id);
    return lookUp({ ...step, pollSeconds: Math.min(step.pollSeconds * 2, maxPollSeconds) });
  }

  /** The API, not the event, is the source of truth for a transfer's status. */
  async function lookUp(step: StepNamed<'follow'>): Promise<PayoutStep> {
    const found = await reads.lookUpTransfer({ invoiceId, externalId: step.transfer.externalId });
    return { ...step, transfer: found.transfer ?? step.transfer, succeeded: found.succeeded, lookNow: false };
  }

  function sendStep(attempt: number): StepNamed<'send'> {
    return { name: 'send', attempt };
  }

  /** Waits until a person decides, records the decision beyond this payout, then carries it out. */
  async function waitForPerson(step: StepNamed<'waitForPerson'>): Promise<PayoutStep> {
    // Acted on once the Update has completed, so that its answer always precedes what the payout does next.
    await progress.wait(() => progress.decision !== undefined && allHandlersFinished());
    const { action, entry, acceptedIn } = progress.decision!;
    // Recorded before it is acted on, so the decision outlives this payout whatever happens next.
    let caller: string | undefined;
    await progress.persistently(async () => (caller = await writes.recordDecision({ invoiceId, entry, acceptedIn })));
    progress.decisionCarriedOut(caller);
    if (action === 'retry') return step.then;
    // Above the four-eyes threshold, the first approval leaves it waiting for a second operator's.
    if (action === 'approve' && step.approves && progress.approvalsMissing(step.approves)) return step;
    if (action === 'approve') return step.then.name === 'send' ? { ...step.then, approval: step.approves } : step.then;
    return progress.end('Rejected', progress.state.reasons);
  }

  async function succeeded(t: TransferSnapshot, known: TransferLookup['succeeded'], reasons: string[] = []) {
    return progress.end('Succeeded', [...reasons, ...(await afterSuccess(progress, t, known))]);
  }

  function following(attempt: number, found: Pick<StepNamed<'follow'>, 'transfer' | 'day' | 'succeeded'>): PayoutStep {
    progress.noteTransfer(attempt, found.transfer);
    if (progress.state.status !== 'Sending') progress.setStatus('Sending');
    return { name: 'follow', attempt, ...found, pollSeconds: input.poll?.firstSeconds ?? 2 };
  }
}
