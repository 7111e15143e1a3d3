import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../helpers/histories';
import { workflowsPath } from '../helpers/payouts';
import { getWorkflowBundle } from '../helpers/temporal';

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

describe('replay of committed workflow histories', function () {
  this.timeout(60_000);

  it('has histories for every payout, issuance and recovery scenario', () => {
    const names = committedHistories().map((h) => h.workflowId);
    for (const scenario of [
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
