import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  loadSimulatedPayout,
  OPERATORS,
  PayoutSimulation,
  type Stimulus,
  type WorldConfig,
} from '../helpers/payoutSimulation';

const payout = loadSimulatedPayout();

const worlds: fc.Arbitrary<WorldConfig> = fc.record({
  amount: fc.integer({ min: 1, max: 20_000 }),
  fee: fc.integer({ min: 0, max: 300 }),
  maxTransferCents: fc.integer({ min: 5_000, max: 40_000 }),
  dailyMaxCents: fc.integer({ min: 20_000, max: 80_000 }),
  sentToday: fc.integer({ min: 0, max: 40_000 }),
  eventMismatch: fc.nat(7).map((n) => n === 0),
  secondApprovalCents: fc.option(fc.integer({ min: 2_000, max: 15_000 }), { nil: undefined }),
});

const stimulus: fc.Arbitrary<Stimulus> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat(3), fault: fc.nat(23) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'timer' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('decide' as const),
      action: fc.constantFrom('approve' as const, 'reject' as const, 'retry' as const),
      operator: fc.constantFrom(...OPERATORS),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transferEvent' as const), duplicate: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('bankSettles' as const),
      to: fc.constantFrom('processing' as const, 'success' as const, 'failed' as const, 'unknown' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pause' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rejectOnRecord' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('reverse' as const), cents: fc.integer({ min: 1, max: 8_000 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'newDay' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'continueAsNew' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'nudge' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fourEyes' as const),
      cents: fc.option(fc.integer({ min: 2_000, max: 15_000 }), { nil: undefined }),
    }),
  },
);

/**
 * A model-based test of the payout workflow: its real code and the real send gate, under random sequences of
 * activity results and faults, timers, operator decisions, pauses, rejections recorded elsewhere, reversals, day
 * changes and continue-as-new at any wait (test/helpers/payoutSimulation.ts). After every step: at most one
 * transfer can succeed; none is created while paused or against a recorded rejection; no transfer sends more than
 * the net; a day's grants go over its maximum only with an approval for that day and that transfer; above the
 * four-eyes threshold (as read at the check or configured now), no transfer without two different operators'
 * approvals of it on the decision record, however a name is typed and whatever the config changes to; reject is
 * accepted only while no transfer can still succeed. At the end, once the bank and time have run their course: the
 * payout ended consistently, or waits for a person with its reasons and decisions shown, and holds no grant of
 * today for a transfer that was not made.
 */
describe('the payout, model-based (real workflow code and send gate, simulated Temporal and Stark Bank)', function () {
  this.timeout(120_000);

  it('keeps the money invariants over 2,000 random sequences of events, decisions and faults', async () => {
    let steps = 0;
    const ends = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        worlds,
        fc.array(stimulus, { minLength: 1, maxLength: 60, size: 'max' }),
        async (world, stimuli) => {
          const sim = new PayoutSimulation(payout, world);
          await sim.start();
          for (const s of stimuli) {
            if (sim.finished) break;
            await sim.apply(s);
            steps++;
            assert.deepEqual(sim.violations, [], `after ${JSON.stringify(s)}`);
          }
          await sim.drain();
          assert.deepEqual(sim.violations, []);
          const end = `${sim.finished ? 'ended' : 'waits'} ${sim.state?.status}`;
          ends.set(end, (ends.get(end) ?? 0) + 1);
        },
      ),
      { numRuns: Number(process.env.MODEL_RUNS ?? 2_000) },
    );
    // The sequences reach every kind of end, or the test would prove little.
    for (const end of [
      'ended Succeeded',
      'ended Rejected',
      'ended NothingToSend',
      'waits AwaitingApproval',
      'waits NeedsAttention',
      'waits TransferFailed',
    ]) {
      assert.ok((ends.get(end) ?? 0) > 0, `no sequence ended as "${end}": ${JSON.stringify([...ends])}`);
    }
    assert.ok(steps > 20_000, `only ${steps} steps`);
  });
});
