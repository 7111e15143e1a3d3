import assert from 'node:assert/strict';
import { PayoutAmountKey } from '../../../src/temporal/searchAttributes';
import { approveUpdate, resumeSignal, transferUpdatedSignal } from '../../../src/workflows/payoutDefinitions';
import type { CreditedInvoice } from '../../../src/domain/types';
import { nextInvoiceId, StubBank, withStubbedPayout } from '../../helpers/stubbedPayout';
import { eventually } from '../../helpers/temporal';

const operator = { operator: 'ana', note: 'checked with finance' };

/** The payer takes `cents` back (in total so far), as the API would show from now on. */
function reverse(bank: StubBank, cents: number): void {
  bank.credited = { ...(bank.credited as CreditedInvoice), reversedCents: cents };
}

/**
 * The reversal policy's branches, against stubbed activities on the real dev server: a reversal before the
 * transfer lowers it (or leaves nothing to send), one after it is a loss for a person. What the real SDK and
 * emulator do is in payout.test.ts, payoutReversals.test.ts and test/e2e/reversedInvoices.test.ts.
 */
describe('payout reversals (stubbed activities)', function () {
  this.timeout(30_000);

  it('sends credited − fee − reversed when the payer reversed part before the check, and shows it', async () => {
    const bank = new StubBank();
    bank.credited = { invoiceId: '', amount: 10_000, fee: 50, status: 'paid', reversedCents: 3_000 };
    await withStubbedPayout(bank, async ({ handle, invoiceId }) => {
      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.deepEqual(bank.created, [{ invoiceId, externalId: `payout-${invoiceId}`, amount: 6_950 }]);
      assert.deepEqual([result.netCents, result.reversedCents, result.sendCents], [9_950, 3_000, 6_950]);
      assert.equal(result.reversalLossCents, undefined);
      assert.deepEqual(bank.losses, []);
      assert.equal((await handle.describe()).typedSearchAttributes.get(PayoutAmountKey), 6_950);
    });
  });

  it('ends NothingToSend at the check, reserving and sending nothing, when the payer reversed it all', async () => {
    const bank = new StubBank();
    bank.credited = { invoiceId: '', amount: 10_000, fee: 50, status: 'paid', reversedCents: 10_000 };
    await withStubbedPayout(bank, async ({ handle }) => {
      const result = await handle.result();
      assert.equal(result.status, 'NothingToSend');
      assert.match(result.reasons.join(), /minus R\$ 100,00 reversed by the payer leaves nothing to send/);
      assert.deepEqual([result.reversedCents, result.sendCents], [10_000, 0]);
      assert.deepEqual(bank.grants, []);
      assert.deepEqual(bank.created, []);
    });
  });

  it('reads the amount again at the moment of sending: a reversal while paused lowers the transfer', async () => {
    const bank = new StubBank();
    bank.paused = true;
    await withStubbedPayout(bank, async ({ handle, invoiceId, reaches }) => {
      const paused = await reaches('Paused');
      assert.equal(paused.sendCents, 10_000);
      reverse(bank, 2_500);
      bank.paused = false;
      await handle.signal(resumeSignal);
      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.deepEqual(bank.created, [{ invoiceId, externalId: `payout-${invoiceId}`, amount: 7_500 }]);
      assert.deepEqual([result.reversedCents, result.sendCents], [2_500, 7_500]);
      assert.equal((await handle.describe()).typedSearchAttributes.get(PayoutAmountKey), 7_500);
    });
  });

  it('sends and reserves nothing when a reversal while awaiting approval leaves nothing', async () => {
    const bank = new StubBank();
    bank.limits = { maxAmountCents: 5_000, dailyMaxCents: 10_000_000 };
    await withStubbedPayout(bank, async ({ handle, reaches }) => {
      await reaches('AwaitingApproval');
      reverse(bank, 10_000);
      await handle.executeUpdate(approveUpdate, { args: [operator] });
      const result = await handle.result();
      assert.equal(result.status, 'NothingToSend');
      assert.match(result.reasons.join(), /reversed by the payer leaves nothing to send/);
      assert.deepEqual([result.reversedCents, result.sendCents], [10_000, 0]);
      assert.deepEqual(bank.created, []);
      assert.deepEqual(bank.grants, []);
      assert.deepEqual(
        result.decisions.map((d) => d.action),
        ['approve'],
      );
    });
  });

  it('records a reversal after the transfer was made as a loss for a person, and still succeeds', async () => {
    const bank = new StubBank();
    bank.outcomes = [{ status: 'processing' }];
    await withStubbedPayout(bank, async ({ handle, invoiceId, reaches }) => {
      await reaches('Sending');
      // Sending is shown before the create call returns: the reversal must come after the transfer exists.
      await eventually(() => Promise.resolve(bank.created.length === 1 ? true : undefined), {
        what: 'the transfer to be created',
      });
      reverse(bank, 4_000);
      bank.outcomes = [{ status: 'success' }];
      await handle.signal(transferUpdatedSignal, { eventId: 'te1', transferId: 't1', status: 'success' });
      const result = await handle.result();
      assert.equal(result.status, 'Succeeded');
      assert.deepEqual([result.sendCents, result.reversedCents, result.reversalLossCents], [10_000, undefined, 4_000]);
      assert.match(result.reasons.join(), /R\$ 40,00 of transfer t1 was reversed by the payer after it was made/);
      assert.deepEqual(bank.losses, [
        { invoiceId, transferId: 't1', sentCents: 10_000, owedCents: 6_000, lossCents: 4_000 },
      ]);
    });
  });

  it('records the loss when it takes over a transfer an earlier run sent before a full reversal', async () => {
    const bank = new StubBank();
    reverse(bank, 10_000);
    const invoiceId = nextInvoiceId();
    bank.earlier = [
      { id: 'earlier', externalId: `payout-${invoiceId}`, amount: 10_000, status: 'success', attempt: 1 },
    ];
    await withStubbedPayout(
      bank,
      async ({ handle }) => {
        const result = await handle.result();
        assert.equal(result.status, 'Succeeded');
        assert.deepEqual(bank.created, []);
        assert.deepEqual([result.sendCents, result.reversalLossCents], [10_000, 10_000]);
        assert.deepEqual(bank.losses, [
          { invoiceId, transferId: 'earlier', sentCents: 10_000, owedCents: 0, lossCents: 10_000 },
        ]);
      },
      { invoiceId },
    );
  });
});
