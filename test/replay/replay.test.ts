import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { failureConverterPath } from '../../src/temporal/client';
import { HISTORIES_DIR } from '../helpers/histories';
import { workflowsPath } from '../helpers/payouts';
import { getWorkflowBundle } from '../helpers/temporal';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installTracing, tracingPlugin } from '../../src/observability/tracing';

/**
 * Replays histories captured from real runs (`npm run histories:capture`) against today's workflow code, so a
 * change that would break running workflows fails CI. Until v1.0.0 a workflow change recaptures them; after it,
 * a change goes behind `patched()` and these histories keep replaying on the old branch (docs/testing.md).
 */
const SCENARIOS = [
  'payout/happy',
  'payout/approved',
  'payout/rejected',
  'payout/retried',
  'payout/paused',
  'payout/faults',
  'payout/early-event',
  'payout/nothing-to-send',
  'payout/continued-as-new',
  'payout/reversed-before-send',
  'payout/reversed-after-send',
  'decision-record/rejected',
  'daily-budget/crossed',
  'pause-switch/paused-and-resumed',
  'issuance/triggered',
  'issuance/lost-response',
  'recovery/sweep-events',
  'recovery/reconcile-payouts',
];

function committedHistories() {
  return fs
    .readdirSync(HISTORIES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
}

/** Ids of the `patched()` markers a history recorded (the SDK's `core_patch` marker carries `{ id }` as JSON). */
function patchIds(history: ReturnType<typeof historyFromJSON>): string[] {
  return (history.events ?? []).flatMap((e) => {
    const attrs = e.markerRecordedEventAttributes;
    const data = attrs?.markerName === 'core_patch' ? attrs.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

describe('replay of committed workflow histories', function () {
  this.timeout(60_000);

  it('has exactly one history per captured scenario', () => {
    assert.deepEqual(
      committedHistories().map((h) => h.workflowId),
      [...SCENARIOS].sort(),
    );
  });

  it('records no patch markers: nothing is released yet, so there is one version of each workflow', () => {
    for (const h of committedHistories()) assert.deepEqual(patchIds(h.history), [], h.workflowId);
  });

  // The worker's one bundle, replayed as a worker with tracing off and with tracing on runs it.
  for (const traced of [false, true]) {
    it(`replays every history deterministically with the current workflow code, tracing ${traced ? 'on' : 'off'}`, async () => {
      const histories = committedHistories();
      const bundle = await getWorkflowBundle(workflowsPath);
      const exporter = new InMemorySpanExporter();
      const tracing = installTracing({}, 'replay-test', traced ? new SimpleSpanProcessor(exporter) : undefined);
      try {
        let replayed = 0;
        const options = { workflowBundle: bundle, plugins: [tracingPlugin(tracing)] };
        for await (const result of Worker.runReplayHistories(options, histories)) {
          assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
          replayed++;
        }
        assert.equal(replayed, histories.length);
      } finally {
        await tracing.shutdown();
      }
    });
  }

  it('replays every history with workflow code that carries no tracing interceptors: spans change nothing', async () => {
    // Span ids come from the workflow's seeded random stream; no business value may (issuance plans neither).
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      failureConverterPath,
      logger: new DefaultLogger('WARN'),
    });
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, committedHistories())) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, committedHistories().length);
  });

  it('rejects an incompatible workflow change', async () => {
    const incompatible = await getWorkflowBundle(require.resolve('../fixtures/incompatible/workflows'));
    const [happy] = committedHistories().filter((h) => h.workflowId === 'payout/happy');
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: incompatible }, happy!.history, happy!.workflowId), {
      name: 'DeterminismViolationError',
    });
  });
});

describe('the workflow bundle', function () {
  this.timeout(60_000);

  it('carries no zod: the sandbox evaluates every import again for each cached run', async () => {
    // It cost most of a cached payout's heap (BENCHMARKS.md); src/domain/schema.ts parses instead.
    const { code } = await getWorkflowBundle(workflowsPath);
    assert.doesNotMatch(code, /node_modules\/zod\//);
  });
});
