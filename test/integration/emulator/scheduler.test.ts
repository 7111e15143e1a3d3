import assert from 'node:assert/strict';
import { initialState } from '../../../emulator/core';
import { createClock } from '../../../emulator/domain/clock';
import { createRandom } from '../../../emulator/domain/random';
import { Scheduler } from '../../../emulator/domain/scheduler';
import { sleep, waitUntil } from './support';

describe('emulator: scheduler', () => {
  it('keeps a job due in more than 24.8 days (the longest Node timeout) waiting', async () => {
    const state = initialState({}, createRandom('scheduler'), createClock());
    let next = 0;
    const scheduler = new Scheduler(
      state,
      () => String(++next),
      (error) => assert.fail(String(error)),
    );
    const ran: string[] = [];
    scheduler.handle('payInvoice', (job) => void ran.push(job.invoiceId));
    try {
      scheduler.schedule({ kind: 'payInvoice', invoiceId: 'in-60-days' }, 60 * 24 * 3_600_000);
      scheduler.schedule({ kind: 'payInvoice', invoiceId: 'soon' }, 5);
      await waitUntil(() => ran.includes('soon'), 1_000, 'the short job');
      await sleep(30);
      assert.deepEqual(ran, ['soon']);
      assert.deepEqual(
        state.jobs.map((job) => job.kind === 'payInvoice' && job.invoiceId),
        ['in-60-days'],
      );
    } finally {
      scheduler.stop();
    }
  });
});
