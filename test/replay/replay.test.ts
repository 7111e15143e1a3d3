import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../helpers/histories';
import { workflowsPath } from '../helpers/payouts';
import { getWorkflowBundle } from '../helpers/temporal';
import { PAYOUT_V2_PATCH, PAYOUT_V3_PATCH } from '../../src/workflows/payout';

/**
 * Replays histories captured from real runs (`npm run histories:capture`) against today's workflow code.
 * A change that would break running workflows (without `patched`) fails here, in CI.
 */
function committedHistories() {
  return fs
    .readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      workflowId: path.basename(file, '.json'),
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

  it('has histories for every payout, issuance and recovery scenario', () => {
    const names = committedHistories().map((h) => h.workflowId);
    for (const scenario of [
      // Payouts as they ran before the v2 patch; they must keep replaying on the old branch.
      'v1-payout-happy',
      'v1-payout-approved',
      'v1-payout-retried',
      'v1-payout-paused',
      // … and as they ran between the v2 and v3 patches.
      'v2-payout-happy',
      'v2-payout-approved',
      'v2-payout-retried',
      'v2-payout-paused',
      'v2-payout-early-event',
      'payout-happy',
      'payout-approved',
      'payout-rejected',
      'payout-retried',
      'payout-paused',
      'issuance-triggered',
      'issuance-lost-response',
      'sweep-events',
      'reconcile-payouts',
    ]) {
      assert.ok(names.includes(scenario), `missing ${scenario}.json in ${HISTORIES_DIR}`);
    }
  });

  it('has each generation of payouts with exactly its patches: v1 none, v2 the v2 patch, current both', () => {
    const payouts = committedHistories().filter((h) => h.workflowId.includes('payout-'));
    const generation = (prefix: string) => payouts.filter((h) => h.workflowId.startsWith(prefix));
    const expected: [string, string[]][] = [
      ['v1-', []],
      ['v2-', [PAYOUT_V2_PATCH]],
      ['payout-', [PAYOUT_V2_PATCH, PAYOUT_V3_PATCH]],
    ];
    for (const [prefix, patches] of expected) {
      const histories = generation(prefix);
      assert.ok(histories.length >= 4, `only ${histories.length} ${prefix} payout histories`);
      for (const h of histories) assert.deepEqual(patchIds(h.history), patches, h.workflowId);
    }
  });

  it('replays every history deterministically with the current workflow code', async () => {
    const histories = committedHistories();
    const bundle = await getWorkflowBundle(workflowsPath);
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, histories.length);
  });

  it('rejects an incompatible workflow change', async () => {
    const incompatible = await getWorkflowBundle(require.resolve('../fixtures/incompatible/workflows'));
    const [happy] = committedHistories().filter((h) => h.workflowId === 'payout-happy');
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: incompatible }, happy!.history, happy!.workflowId), {
      name: 'DeterminismViolationError',
    });
  });
});
