import Module from 'node:module';
import {
  ActivityFailure,
  ApplicationFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
  type TemporalFailure,
} from '@temporalio/common';
import type { TransferLookup } from '../../src/workflows/activityTypes';
import { ErrorTypes } from '../../src/domain/errorTypes';
import { owedCents } from '../../src/domain/money';
import { attemptOfExternalId } from '../../src/domain/payoutIds';
import { sendThroughGate, type GateDeps, type Rejection, type SendOutcome } from '../../src/domain/sendGate';
import type { CreditedInvoice, TransferSnapshot, TransferStatus } from '../../src/domain/types';
import type { DecisionEntry } from '../../src/workflows/decisionRecordDefinitions';
import {
  WAITS_FOR_PERSON,
  type PayoutDecision,
  type PayoutInput,
  type PayoutState,
  type PayoutWorkflow,
} from '../../src/workflows/payoutDefinitions';
import * as fakeWorkflowApi from './fakeWorkflowApi';
import { enterRun, SimulatedContinueAsNew, type SimulatedRun } from './fakeWorkflowApi';

/**
 * A deterministic simulation of one payout: the real workflow code (loaded against test/helpers/fakeWorkflowApi.ts)
 * and the real send gate, over a simulated Stark Bank, Temporal side and operators. A test drives it one stimulus at
 * a time (an activity finishing or failing, a timer, a decision, a pause, a reversal, a new day, a continue-as-new)
 * and it checks the money's invariants after each one.
 */

type ModuleWithLoader = typeof Module & {
  _load: (request: string, parent: unknown, ...rest: unknown[]) => unknown;
};

/** The payout workflow function, bound to the fake workflow API instead of Temporal's sandbox. */
export function loadSimulatedPayout(): PayoutWorkflow {
  const loader = Module as ModuleWithLoader;
  const original = loader._load;
  const load = original.bind(loader);
  const workflowModules = () => Object.keys(require.cache).filter((key) => key.includes('/src/workflows/'));
  // Node caches resolutions per directory, so the load itself is what is redirected.
  loader._load = (request: string, parent: unknown, ...rest: unknown[]) => {
    if (request === '@temporalio/workflow') return fakeWorkflowApi;
    return load(request, parent, ...rest);
  };
  try {
    for (const key of workflowModules()) delete require.cache[key];
    // A require, not an import: the module must load after the redirection, and afresh.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../src/workflows/payout') as { payout: PayoutWorkflow }).payout;
  } finally {
    loader._load = original;
    // Other tests load the workflow modules for real again.
    for (const key of workflowModules()) delete require.cache[key];
  }
}

const DAYS = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'];
/** The operators who decide, as a person may type them: "ANA" is ana. */
export const OPERATORS = ['ana', 'bia', 'ANA'] as const;
const LIVE: readonly TransferStatus[] = ['created', 'processing', 'success', 'unknown'];

export interface WorldConfig {
  amount: number;
  fee: number;
  maxTransferCents: number;
  dailyMaxCents: number;
  /** What the day's budget already holds from other payouts. */
  sentToday: number;
  /** The credited event disagrees with the API (a guardrail). */
  eventMismatch: boolean;
  /** PAYOUT_SECOND_APPROVAL_CENTS when the payout starts: four eyes above it; off when unset. */
  secondApprovalCents?: number;
}

/** What can happen next; `pick` and `fault` choose among what is possible at that moment. */
export type Stimulus =
  | { kind: 'complete'; pick: number; fault: number }
  | { kind: 'timer' }
  | { kind: 'decide'; action: PayoutDecision; operator: (typeof OPERATORS)[number] }
  | { kind: 'transferEvent'; duplicate: boolean }
  | { kind: 'bankSettles'; to: 'processing' | 'success' | 'failed' | 'unknown' }
  | { kind: 'pause'; on: boolean }
  | { kind: 'rejectOnRecord' }
  | { kind: 'reverse'; cents: number }
  | { kind: 'newDay' }
  | { kind: 'continueAsNew' }
  | { kind: 'nudge' }
  /** The configuration changes: four eyes above these cents from now on, or off. */
  | { kind: 'fourEyes'; cents: number | undefined };

interface PendingCall {
  name: string;
  args: unknown[];
  local: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface SimTransfer extends TransferSnapshot {
  day: string;
}

class Crash extends Error {}

export class PayoutSimulation {
  readonly violations: string[] = [];
  readonly invoiceId = '7000000000000001';
  // The world.
  private invoice: CreditedInvoice;
  private paused = false;
  private rejection: Rejection | undefined;
  private readonly entries: DecisionEntry[] = [];
  private readonly cases: string[] = [];
  private today = 0;
  private readonly grants: { day: string; externalId: string; amount: number; approved: boolean; released: boolean }[] =
    [];
  private readonly transfers: SimTransfer[] = [];
  private lastOverMax: string | undefined;
  private readonly approvedOverMax = new Set<string>();
  /** PAYOUT_SECOND_APPROVAL_CENTS as configured now, and every value the payout read at its check. */
  private fourEyesNow: number | undefined;
  private readonly fourEyesSeen: number[] = [];
  // The workflow.
  private run!: SimulatedRun;
  private clock = 0;
  private runs = 0;
  private events = 0;
  private readonly pending: PendingCall[] = [];
  private outcome:
    { status: 'running' } | { status: 'completed'; state: PayoutState } | { status: 'failed'; error: unknown } = {
    status: 'running',
  };

  constructor(
    private readonly payout: PayoutWorkflow,
    private readonly config: WorldConfig,
  ) {
    this.invoice = {
      invoiceId: this.invoiceId,
      amount: config.amount,
      fee: config.fee,
      status: 'paid',
      reversedCents: 0,
    };
    this.fourEyesNow = config.secondApprovalCents;
  }

  async start(): Promise<void> {
    const input: PayoutInput = {
      invoiceId: this.invoiceId,
      poll: { firstSeconds: 2, maxSeconds: 60 },
      creditWait: { firstSeconds: 10, waits: 2 },
    };
    this.begin(input, new Map());
    const event = { eventId: 'credited-1', amount: this.config.amount + (this.config.eventMismatch ? 1 : 0) };
    this.signal('invoiceCredited', event);
    await this.flush();
  }

  get state(): PayoutState | undefined {
    return this.outcome.status === 'completed'
      ? this.outcome.state
      : (this.run.handlers.get('state')?.handler() as PayoutState | undefined);
  }

  get finished(): boolean {
    return this.outcome.status !== 'running';
  }

  /** Applies one stimulus (ignored when it cannot happen now), then checks every invariant. */
  async apply(s: Stimulus): Promise<void> {
    if (this.finished) return;
    switch (s.kind) {
      case 'complete': {
        const call = this.pending.splice(s.pick % Math.max(1, this.pending.length), 1)[0];
        if (call) await this.execute(call, s.fault);
        break;
      }
      case 'timer':
        this.fireTimer();
        break;
      case 'decide':
        this.decide(s.action, s.operator);
        break;
      case 'transferEvent': {
        const t = this.transfers.at(-1);
        if (t)
          this.signal('transferUpdated', {
            eventId: s.duplicate ? `te-${t.id}` : `te-${++this.events}`,
            transferId: t.id,
            status: t.status,
          });
        break;
      }
      case 'bankSettles': {
        const t = this.transfers.find(
          (x) => x.status === 'created' || x.status === 'processing' || x.status === 'unknown',
        );
        if (t) t.status = s.to;
        break;
      }
      case 'pause':
        this.paused = s.on;
        if (!s.on) this.signal('resume');
        break;
      case 'rejectOnRecord':
        this.rejection ??= { operator: 'bia', at: '2026-12-01T12:00:00Z', note: 'rejected on the record' };
        break;
      case 'reverse':
        this.invoice = {
          ...this.invoice,
          reversedCents: Math.min(this.invoice.amount, this.invoice.reversedCents + s.cents),
        };
        break;
      case 'newDay':
        this.today = Math.min(this.today + 1, DAYS.length - 1);
        break;
      case 'continueAsNew':
        this.run.continueAsNewSuggested = true;
        break;
      case 'nudge':
        this.signal('lookUpTransfer');
        break;
      case 'fourEyes':
        this.fourEyesNow = s.cents;
        break;
    }
    await this.flush();
    this.checkInvariants();
  }

  /**
   * Lets everything that needs no person run its course (the bank settles transfers as successes, the pause is
   * lifted, activities succeed, timers fire), then checks that the payout ended or waits for a person, visibly.
   */
  async drain(): Promise<void> {
    for (let i = 0; i < 400 && !this.finished; i++) {
      const call = this.pending.shift();
      if (call) await this.execute(call, 0);
      else if (this.paused) await this.apply({ kind: 'pause', on: false });
      else if (this.transfers.some((t) => t.status === 'created' || t.status === 'processing')) {
        await this.apply({ kind: 'bankSettles', to: 'success' });
      } else if (this.run.conditions.some((c) => c.deadline !== undefined)) this.fireTimer();
      else break;
      await this.flush();
      this.checkInvariants();
    }
    this.checkEnd();
  }

  // --- the workflow's side ---

  private begin(input: PayoutInput, searchAttributes: Map<string, unknown>): void {
    this.runs++;
    this.run = {
      runId: `run-${this.runs}`,
      now: () => this.clock,
      continueAsNewSuggested: false,
      searchAttributes,
      handlers: new Map(),
      conditions: [],
      callActivity: (name, args, local) =>
        new Promise((resolve, reject) => this.pending.push({ name, args, local, resolve, reject })),
    };
    enterRun(this.run);
    this.payout(input).then(
      (state) => (this.outcome = { status: 'completed', state: structuredClone(state) }),
      (err: unknown) => {
        if (!(err instanceof SimulatedContinueAsNew)) {
          this.outcome = { status: 'failed', error: err };
          this.violations.push(`the workflow failed: ${String(err)}`);
          return;
        }
        // What a run hands the next goes through a payload: only what survives JSON is carried.
        const next = JSON.parse(JSON.stringify(err.args[0])) as PayoutInput;
        this.begin(next, new Map(this.run.searchAttributes));
      },
    );
  }

  /** Runs the workflow until it waits again, re-checking its conditions after every change, as Temporal does. */
  private async flush(): Promise<void> {
    for (let round = 0; round < 1_000; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      const ready = this.run.conditions.filter((c) => c.ready());
      if (ready.length === 0) return;
      for (const c of ready) {
        this.run.conditions.splice(this.run.conditions.indexOf(c), 1);
        c.resolve(true);
      }
    }
    this.violations.push('the workflow never settled');
  }

  private fireTimer(): void {
    const timed = this.run.conditions.filter((c) => c.deadline !== undefined);
    const first = timed.sort((a, b) => a.deadline! - b.deadline!)[0];
    if (!first) return;
    this.clock = Math.max(this.clock, first.deadline!);
    this.run.conditions.splice(this.run.conditions.indexOf(first), 1);
    first.resolve(false);
  }

  private signal(name: string, ...args: unknown[]): void {
    this.run.handlers.get(name)?.handler(...args);
  }

  private decide(action: PayoutDecision, operator: string): void {
    const entry = this.run.handlers.get(action);
    if (!entry) return;
    const by = { operator, note: 'model' };
    try {
      entry.validator?.(by);
    } catch {
      return; // refused, as the Update would be
    }
    const waiting = this.state?.status;
    if (action === 'reject') {
      const mayStillSucceed = this.transfers.some((t) => LIVE.includes(t.status));
      if (mayStillSucceed)
        this.violations.push('reject was accepted while a transfer of the payout could still succeed');
      if (this.pending.some((p) => p.name === 'createTransfer')) {
        this.violations.push('reject was accepted while a transfer create was in flight');
      }
    }
    if (action === 'approve' && waiting === 'AwaitingApproval' && this.lastOverMax) {
      this.approvedOverMax.add(this.lastOverMax);
      this.lastOverMax = undefined;
    }
    this.run.updateId = `u-${++this.events}`;
    entry.handler(by);
    this.run.updateId = undefined;
  }

  // --- the activities, over the simulated world ---

  private async execute(call: PendingCall, fault: number): Promise<void> {
    try {
      call.resolve(await this.activity(call.name, call.args[0], fault));
    } catch (err) {
      const failure =
        err instanceof Crash
          ? new TimeoutFailure('activity StartToClose timeout', undefined, TimeoutType.START_TO_CLOSE)
          : (err as TemporalFailure);
      // A local activity's failure reaches the workflow bare, an ordinary one's wrapped, as in the SDK.
      call.reject(
        call.local
          ? failure
          : new ActivityFailure(
              'Activity task failed',
              call.name,
              '1',
              RetryState.MAXIMUM_ATTEMPTS_REACHED,
              'worker',
              failure,
            ),
      );
    }
  }

  private async activity(name: string, arg: unknown, fault: number): Promise<unknown> {
    const transient = () =>
      ApplicationFailure.create({ type: ErrorTypes.transient, message: `${name}: Stark Bank unavailable` });
    const refused = (what: string) =>
      ApplicationFailure.nonRetryable(`${what}: Stark Bank answered HTTP 403`, ErrorTypes.input);
    switch (name) {
      case 'readPayoutFacts':
        if (fault % 6 === 4) throw transient();
        if (fault % 6 === 5) throw refused('query transfers');
        if (this.fourEyesNow !== undefined) this.fourEyesSeen.push(this.fourEyesNow);
        return {
          credited: { ...this.invoice },
          earlier: this.transfers.map((t) => ({
            ...this.snapshot(t),
            attempt: attemptOfExternalId(this.invoiceId, t.externalId)!,
          })),
          rejected: this.rejection,
          limits: {
            maxAmountCents: this.config.maxTransferCents,
            dailyMaxCents: this.config.dailyMaxCents,
            secondApprovalCents: this.fourEyesNow,
          },
        };
      case 'createTransfer':
        return this.createTransfer(arg as Parameters<typeof sendThroughGate>[1], fault % 8);
      case 'settleTransfer': {
        if (fault % 4 === 3) return 'not-yet';
        const found = this.lookUp((arg as { externalId: string }).externalId);
        return found.transfer ? found : 'none';
      }
      case 'lookUpTransfer': {
        if (fault % 6 === 4) throw refused('look up transfer');
        if (fault % 6 === 5) throw transient();
        return this.lookUp((arg as { externalId: string }).externalId);
      }
      case 'releaseDailyBudget': {
        const { externalId, day } = arg as { externalId: string; day?: string };
        this.release(day ?? DAYS[this.today]!, externalId);
        return undefined;
      }
      case 'recordDecision': {
        if (fault % 5 === 4) throw transient();
        const { entry } = arg as { entry: DecisionEntry };
        if (!this.entries.some((e) => e.id === entry.id)) {
          this.entries.push(entry);
          if (entry.action === 'reject') this.rejection = entry;
        }
        return undefined;
      }
      case 'openCase':
        this.cases.push((arg as { opened: { kind: string } }).opened.kind);
        return undefined;
      case 'recordReversalLoss':
        return 'case-opened';
      default:
        throw new Error(`the simulation has no activity ${name}`);
    }
  }

  /** The real send gate over the simulated world. Faults: 3 refused, 4 answer lost, 5/6 worker died, 7 outage. */
  private async createTransfer(request: Parameters<typeof sendThroughGate>[1], fault: number): Promise<SendOutcome> {
    if (fault === 7)
      throw ApplicationFailure.create({ type: ErrorTypes.transient, message: 'create transfer: unavailable' });
    const deps: GateDeps = {
      findTransfer: (externalId) => Promise.resolve(this.find(externalId) && this.snapshot(this.find(externalId)!)),
      readInvoice: () => Promise.resolve({ ...this.invoice }),
      readRejection: () => Promise.resolve(this.rejection),
      readPause: () =>
        Promise.resolve(this.paused ? { paused: true, reason: 'paused by an operator' } : { paused: false }),
      today: () => DAYS[this.today]!,
      reserve: (day, r) => {
        const others = this.grants
          .filter((g) => g.day === day && !g.released && g.externalId !== r.externalId)
          .reduce((sum, g) => sum + g.amount, 0);
        const totalCents = this.config.sentToday + others + r.amount;
        const answer = { totalCents, maxCents: this.config.dailyMaxCents };
        if (this.grants.some((g) => g.day === day && g.externalId === r.externalId && !g.released)) {
          return Promise.resolve({ ...answer, granted: true });
        }
        if (!r.approvedOverDailyMax && totalCents > this.config.dailyMaxCents)
          return Promise.resolve({ ...answer, granted: false });
        this.grants.push({
          day,
          externalId: r.externalId,
          amount: r.amount,
          approved: r.approvedOverDailyMax,
          released: false,
        });
        return Promise.resolve({ ...answer, granted: true });
      },
      release: (day, externalId) => {
        this.release(day, externalId);
        return Promise.resolve();
      },
      create: ({ externalId, amount }) => {
        if (fault === 3)
          return Promise.reject(
            ApplicationFailure.nonRetryable('create: Stark Bank refused the request', ErrorTypes.input),
          );
        if (fault === 5) return Promise.reject(new Crash());
        if (this.paused) this.violations.push('a transfer was created while paused');
        if (this.rejection) this.violations.push('a transfer was created against a recorded rejection');
        if (this.find(externalId)) this.violations.push(`a second transfer was created under ${externalId}`);
        this.checkFourEyes(externalId, amount);
        const t: SimTransfer = {
          id: `t${this.transfers.length + 1}`,
          externalId,
          amount,
          status: 'created',
          day: DAYS[this.today]!,
        };
        this.transfers.push(t);
        if (fault === 4)
          return Promise.reject(
            ApplicationFailure.create({ type: ErrorTypes.transient, message: 'create: answer lost' }),
          );
        if (fault === 6) return Promise.reject(new Crash());
        return Promise.resolve(this.snapshot(t));
      },
      maxTransferCents: this.config.maxTransferCents,
      secondApprovalCents: this.fourEyesNow,
      readApprovals: () => Promise.resolve([...this.entries]),
    };
    const outcome = await sendThroughGate(deps, request);
    this.lastOverMax =
      outcome.outcome === 'refused' && outcome.refusal.kind === 'over-daily-max'
        ? `${request.externalId}@${outcome.refusal.day}`
        : undefined;
    return outcome;
  }

  private lookUp(externalId: string): TransferLookup {
    const t = this.find(externalId);
    if (t?.status !== 'success') return { transfer: t ? this.snapshot(t) : null };
    return { transfer: this.snapshot(t), succeeded: { owedCents: owedCents(this.invoice), rejected: this.rejection } };
  }

  private find(externalId: string): SimTransfer | undefined {
    return this.transfers.find((t) => t.externalId === externalId);
  }

  private snapshot(t: SimTransfer): TransferSnapshot {
    return {
      id: t.id,
      externalId: t.externalId,
      amount: t.amount,
      status: t.status,
      ...(t.status === 'unknown' && { rawStatus: 'reversed' }),
    };
  }

  private release(day: string, externalId: string): void {
    for (const g of this.grants) if (g.day === day && g.externalId === externalId) g.released = true;
  }

  // --- invariants ---

  /**
   * Above the lowest four-eyes threshold the payout read at its check or that is configured now, a transfer is made
   * only with approvals of that very transfer from two different people on the decision record.
   */
  private checkFourEyes(externalId: string, amount: number): void {
    const thresholds = [...this.fourEyesSeen, ...(this.fourEyesNow === undefined ? [] : [this.fourEyesNow])];
    if (thresholds.length === 0 || amount <= Math.min(...thresholds)) return;
    const people = new Set(
      this.entries
        .filter((e) => e.action === 'approve' && e.approves === externalId)
        .map((e) => e.operator.toLowerCase()),
    );
    if (people.size < 2) {
      this.violations.push(`${externalId} sent ${amount} above four eyes with approvals of ${[...people].join(', ')}`);
    }
  }

  private checkInvariants(): void {
    if (this.transfers.filter((t) => LIVE.includes(t.status)).length > 1) {
      this.violations.push('more than one transfer of the payout can succeed');
    }
    for (const g of this.grants.filter((g) => g.approved)) {
      if (!this.approvedOverMax.has(`${g.externalId}@${g.day}`)) {
        this.violations.push(`${g.externalId} went over the maximum of ${g.day} with no approval for that day`);
      }
    }
    for (const t of this.transfers) {
      const owedAtMost = this.invoice.amount - this.invoice.fee;
      if (t.amount > owedAtMost || t.amount <= 0) this.violations.push(`transfer ${t.id} sent ${t.amount}`);
    }
  }

  private checkEnd(): void {
    const state = this.state;
    if (!state) return void this.violations.push('the payout has no state');
    const successes = this.transfers.filter((t) => t.status === 'success');
    if (this.outcome.status === 'completed') {
      if (state.status === 'Succeeded' && successes.length !== 1)
        this.violations.push('Succeeded without one successful transfer');
      if (state.status !== 'Succeeded' && this.transfers.some((t) => LIVE.includes(t.status))) {
        this.violations.push(`${state.status} with a transfer that can still succeed`);
      }
    } else if (this.outcome.status === 'running') {
      const waits = (WAITS_FOR_PERSON as readonly string[]).includes(state.status);
      if (!waits || state.waitsFor.length === 0 || state.reasons.length === 0) {
        this.violations.push(
          `the payout neither ended nor waits visibly for a person (${state.status}, ${JSON.stringify(state.waitsFor)})`,
        );
      }
    }
    // While the payout may still see its transfer succeed (it waits to look again), the grant rightly stays.
    if (this.outcome.status === 'running' && !state.waitsFor.includes('reject')) return;
    const today = DAYS[this.today];
    for (const g of this.grants.filter((g) => !g.released && g.day === today)) {
      const t = this.find(g.externalId);
      if (!t || t.status === 'failed' || t.status === 'canceled')
        this.violations.push(`the grant of ${g.externalId} leaked`);
    }
  }
}
