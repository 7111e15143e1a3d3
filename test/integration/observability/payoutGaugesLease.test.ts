import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registerPayoutGauges } from '../../../src/gauges/payoutGauges';
import { workflowsPath } from '../../helpers/payouts';
import { eventually, withWorker } from '../../helpers/temporal';

describe('payout gauges: one process serves them, by lease (real dev server)', function () {
  this.timeout(60_000);

  it('serves them from the lease holder only; another takes over once the holder stops renewing', async () => {
    await withWorker({ workflowsPath, activities: {} }, async ({ client, taskQueue }) => {
      // Two processes both set with PAYOUT_GAUGES, as a misconfigured deployment would run them.
      const first = new Registry();
      const second = new Registry();
      const options = { maxAgeMs: 0, leaseTtlMs: 3_000 };
      registerPayoutGauges(client, taskQueue, { ...options, registry: first, holder: 'first' });
      registerPayoutGauges(client, taskQueue, { ...options, registry: second, holder: 'second' });

      assert.match(await first.metrics(), /^payouts\{status="Succeeded"\} 0$/m);
      assert.doesNotMatch(await second.metrics(), /^payouts\{/m, 'the second process serves no payout series');
      assert.match(await first.metrics(), /^payouts\{status="Received"\} 0$/m, 'the holder renews at each scrape');
      assert.doesNotMatch(await second.metrics(), /^payouts\{/m);

      // The first process is gone (nothing scrapes it): its lease lapses and the second takes over.
      await eventually(async () => (/^payouts\{/m.test(await second.metrics()) ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 500,
        what: 'the second process to take the lease',
      });
      assert.doesNotMatch(await first.metrics(), /^payouts\{/m, 'the first no longer serves them');
    });
  });
});
