import {
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration, SearchAttributeUpdatePair } from '@temporalio/common';
import { Backoff } from '../domain/backoff';
import type { Approval } from '../domain/sendGate';
import {
  approversOf,
  isSecondApprovalReason,
  needsTwoApprovals,
  operatorKey,
  secondApprovalReason,
  secondApprovalThreshold,
} from '../domain/fourEyes';
import { amountsOwed, amountsSent, type PayoutAmounts } from '../domain/payoutAmounts';
import { setbackOf } from './setback';
import type { CreditedInvoice, TransferSnapshot } from '../domain/types';
import { InvoiceIdKey, PayoutAmountKey, PayoutStatusKey, TransferIdKey } from '../temporal/searchAttributes';
import type { DecisionEntry } from './decisionRecordDefinitions';
import {
  CARRYING_OUT,
  type CarriedPayout,
  type CreditedEvent,
  type OperatorDecision,
  type PayoutDecision,
  type PayoutInput,
  type PayoutState,
  type PayoutStatus,
  type PayoutStep,
  type PayoutWorkflow,
  type TransferEvent,
  type WaitingStatus,
} from './payoutDefinitions';

const MAX_REMEMBERED_EVENTS = 200;

/**
 * What a payout knows and shows, apart from the story it follows (payout.ts): its state and step, which are carried
 * whole across continue-as-new, the status and search attributes it writes (only on change), the events it has
 * heard, the operator decisions it accepts, and how it waits. Runs inside the workflow.
 */
export class PayoutProgress {
  readonly data: CarriedPayout;
  /** Search attributes to write with the next status, so that a change costs one visibility write. */
  private readonly unpublished: SearchAttributeUpdatePair[] = [];
  /** Transfer events and nudges not yet acted on, by transfer id ('*': look any transfer up now). */
  private readonly news = new Set<string>();

  constructor(private readonly input: PayoutInput) {
    this.data = input.carried ?? {
      state: {
        invoiceId: input.invoiceId,
        status: 'Received',
        reasons: [],
        attempts: [],
        eventIds: [],
        waitsFor: [],
        decisions: input.restartedBy ? [input.restartedBy] : [],
      },
      step: { name: 'check' },
    };
    // The dispatcher sets InvoiceId at start; other starters (an operator, tests) may not.
    if (workflowInfo().typedSearchAttributes.get(InvoiceIdKey) !== input.invoiceId) {
      upsertSearchAttributes([{ key: InvoiceIdKey, value: input.invoiceId }]);
    }
  }

  get state(): PayoutState {
    return this.data.state;
  }

  get step(): PayoutStep {
    return this.data.step;
  }

  /** Moves to the next step; a wait for a person shows its status and the decisions it takes. */
  goTo(step: PayoutStep): void {
    this.data.step = step;
    if (step.name === 'waitForPerson') {
      this.state.waitsFor = [...step.waitsFor];
      this.setStatus(step.status, this.state.reasons);
    }
  }

  /** A wait for a person, with the reasons it shows. */
  waitForPerson(
    status: WaitingStatus,
    waitsFor: PayoutDecision[],
    reasons: string[],
    then: PayoutStep,
    extra: { approves?: Approval } = {},
  ): PayoutStep {
    this.state.reasons = reasons;
    return { name: 'waitForPerson', status, waitsFor, then, ...extra };
  }

  /** The end: the payout's final status and why. */
  end(status: PayoutStatus, reasons: string[]): PayoutStep {
    this.setStatus(status, reasons);
    return { name: 'done' };
  }

  setStatus(status: PayoutStatus, reasons: string[] = []): void {
    const changed = status !== this.state.status || this.unpublished.length > 0;
    this.state.status = status;
    this.state.reasons = reasons;
    if (changed) {
      upsertSearchAttributes([...this.unpublished.splice(0), { key: PayoutStatusKey, value: status }]);
      log.info('payout status', { invoiceId: this.state.invoiceId, status, reasons });
    }
  }

  retrying(reason: string | undefined): void {
    this.state.retrying = reason;
  }

  // --- amounts and transfers ---

  /** The invoice as just read: what would be sent now. */
  noteCredited(credited: CreditedInvoice): void {
    this.state.credited = credited;
    this.showAmounts(amountsOwed(credited));
  }

  /** A transfer of this payout, made now or by an earlier run: what it sent, and its attempt. */
  noteTransfer(attempt: number, t: TransferSnapshot): void {
    this.recordAttempt(attempt, t);
    this.showAmounts(amountsSent(this.state.netCents, t.amount));
    this.publishWithNextStatus({ key: TransferIdKey, value: t.id });
  }

  recordAttempt(attempt: number, t: TransferSnapshot): void {
    this.state.attempts = [
      ...this.state.attempts.filter((a) => a.attempt !== attempt),
      { attempt, externalId: t.externalId, transferId: t.id, status: t.status, failureReason: t.failureReason },
    ].sort((a, b) => a.attempt - b.attempt);
  }

  noteReversalLoss(cents: number): void {
    this.state.reversalLossCents = cents;
  }

  private showAmounts(amounts: PayoutAmounts): void {
    this.state.netCents = amounts.netCents;
    this.state.reversedCents = amounts.reversedCents;
    this.state.sendCents = amounts.sendCents;
    this.publishWithNextStatus({ key: PayoutAmountKey, value: amounts.sendCents });
  }

  private publishWithNextStatus(pair: SearchAttributeUpdatePair): void {
    const at = this.unpublished.findIndex((p) => p.key.name === pair.key.name);
    if (at >= 0) this.unpublished.splice(at, 1);
    // typedSearchAttributes holds what this workflow last wrote (or its starter set).
    if (workflowInfo().typedSearchAttributes.get(pair.key) !== pair.value) this.unpublished.push(pair);
  }

  // --- what the payout hears: events (deduped by id, as Stark Bank delivers at least once) and nudges ---

  onCreditedEvent(event: CreditedEvent): void {
    if (this.firstTime(event.eventId)) this.data.creditedEvent ??= event;
  }

  onTransferEvent(event: TransferEvent): void {
    if (this.firstTime(event.eventId)) this.news.add(event.transferId);
  }

  /** An operator resumed payouts, or reconciliation asks the payout to look its transfer up now. */
  nudge(): void {
    this.news.add('*');
  }

  /** Whether something was heard about this transfer (or a nudge) since the last look; consumes it. */
  hasNews(transferId?: string): boolean {
    return this.news.has('*') || (transferId !== undefined && this.news.has(transferId));
  }

  consumeNews(transferId?: string): void {
    this.news.delete('*');
    if (transferId !== undefined) this.news.delete(transferId);
  }

  private firstTime(eventId: string): boolean {
    if (this.state.eventIds.includes(eventId)) return false;
    this.state.eventIds = [...this.state.eventIds, eventId].slice(-MAX_REMEMBERED_EVENTS);
    return true;
  }

  // --- operator decisions: Updates accepted only while the payout waits for that very decision ---

  validateDecision(action: PayoutDecision, by: OperatorDecision): void {
    // A second reject is refused by name: whose came first and when (the payout ends once it is recorded).
    const rejected = action === 'reject' && this.state.decisions.find((d) => d.action === 'reject');
    if (rejected) {
      throw new Error(
        `cannot reject a payout that is ${this.state.status}: already rejected by ${rejected.operator} at ${rejected.at}`,
      );
    }
    const step = this.step;
    if (step.name === 'waitForPerson' && step.waitsFor.includes(action) && !this.data.decision) {
      const approvers = step.approves && action === 'approve' ? this.approvalsMissing(step.approves) : undefined;
      if (!approvers?.some((a) => operatorKey(a) === operatorKey(by.operator))) return;
      throw new Error(
        `cannot approve a payout that is ${this.state.status}: ${by.operator.trim()} already approved it, ` +
          'and a second, different operator must approve',
      );
    }
    const waitsFor = step.name === 'waitForPerson' && !this.data.decision ? step.waitsFor : [];
    const why = waitsFor.length > 0 ? `it waits for ${waitsFor.join(' or ')}` : 'it waits for no decision';
    throw new Error(`cannot ${action} a payout that is ${this.state.status}: ${why}`);
  }

  acceptDecision(action: PayoutDecision, by: OperatorDecision): PayoutState {
    const { runId } = workflowInfo();
    const updateId = currentUpdateInfo()?.id;
    const step = this.step;
    const approves = action === 'approve' && step.name === 'waitForPerson' ? step.approves : undefined;
    const entry: DecisionEntry = {
      id: `${runId}/${updateId ?? this.state.decisions.length}`,
      action,
      operator: by.operator,
      note: by.note,
      at: new Date().toISOString(),
      payoutStatus: this.state.status,
      // The reasons change as the payout goes on: the decision keeps what it was taken on.
      ...(this.state.reasons.length > 0 && { heldFor: [...this.state.reasons] }),
      ...(approves && { approves: approves.externalId }),
    };
    this.state.waitsFor = [];
    this.state.decisions = [...this.state.decisions, entry];
    this.data.decision = { action, entry, ...(updateId !== undefined && { acceptedIn: { runId, updateId } }) };
    const approvers = approves && this.approvalsMissing(approves);
    if (!approvers) {
      this.setStatus(CARRYING_OUT[action], this.state.reasons);
      return this.state;
    }
    // The first of two approvals: the payout keeps waiting, and shows who approved.
    const held = this.state.reasons.filter((r) => !isSecondApprovalReason(r));
    const amount = this.state.sendCents ?? 0;
    this.state.reasons = [...held, secondApprovalReason(approvers, amount, this.data.secondApprovalCents!)];
    return this.state;
  }

  /**
   * The four-eyes threshold the payout is held under: the lowest it has seen, at its check or from the send gate.
   * It goes with every send, so a change of config can ask for a second approval but never waive one.
   */
  holdUnder(secondApprovalCents: number | undefined): void {
    const lowest = secondApprovalThreshold(this.data.secondApprovalCents, secondApprovalCents);
    if (lowest !== undefined) this.data.secondApprovalCents = lowest;
  }

  /**
   * Above the four-eyes threshold the payout is held under, the operators who approved this transfer while fewer
   * than two have; undefined once none is missing (or none is needed). The send gate checks again for itself.
   */
  approvalsMissing(approves: Approval): string[] | undefined {
    if (!needsTwoApprovals(this.state.sendCents, this.data.secondApprovalCents)) return undefined;
    const approvers = approversOf(this.state.decisions, approves.externalId);
    return approvers.length < 2 ? approvers : undefined;
  }

  /** The decision accepted and not yet carried out, if any. */
  get decision() {
    return this.data.decision;
  }

  /** The decision was recorded (with who sent it, when known) and is being carried out. */
  decisionCarriedOut(caller: string | undefined): void {
    const id = this.data.decision?.entry.id;
    if (caller) this.state.decisions = this.state.decisions.map((d) => (d.id === id ? { ...d, caller } : d));
    this.data.decision = undefined;
  }

  // --- waiting: history stays bounded, and what must be written is written ---

  /** Waits for `ready` or `seconds`; continues as new instead when history grew long and the wait goes on. */
  async wait(ready: () => boolean, seconds?: number): Promise<boolean> {
    const historyLimit = this.input.historyLimit ?? 10_000;
    const mustContinueAsNew = () =>
      (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit) && allHandlersFinished();
    const wake = () => ready() || mustContinueAsNew();
    await (seconds === undefined ? condition(wake) : condition(wake, `${seconds} seconds` as Duration));
    if (!ready() && mustContinueAsNew()) {
      // The whole of the payout's memory goes to the next run, which starts the current step again.
      await continueAsNew<PayoutWorkflow>({ ...this.input, carried: this.data });
    }
    return ready();
  }

  /** Runs a write that must happen (a decision, a case, a grant given back), waiting out any failure. */
  async persistently(write: () => Promise<unknown>): Promise<void> {
    const backoff = new Backoff(30, 600);
    for (;;) {
      try {
        await write();
        this.retrying(undefined);
        return;
      } catch (err) {
        this.retrying(setbackOf(err).message);
        await this.wait(() => false, backoff.next());
      }
    }
  }

  /** A step whose failure only costs visibility: reconciliation looks again. */
  async bestEffort<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      log.warn('a best-effort step failed; reconciliation looks again', {
        invoiceId: this.state.invoiceId,
        error: setbackOf(err).message,
      });
      return undefined;
    }
  }
}
