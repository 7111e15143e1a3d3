import starkbank from 'starkbank';
import { ApplicationFailure } from '@temporalio/common';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { transferLogSchema, transferSchema, type Transfer } from '../starkbank/schemas';
import type { Destination } from '../domain/destination';
import { PAYOUT_TAG } from '../domain/payoutIds';
import type { TransferSnapshot, TransferStatus } from '../domain/types';
import { ErrorTypes } from '../domain/errorTypes';
import { starkCall } from './starkCall';
import { createDailyPayoutTotal } from './dailyPayoutTotal';
import { amountTransferred, transfersCreated } from '../observability/metrics';

export interface TransferActivityDeps {
  user: StarkUser;
  destination: Destination;
  /** Clock for "today" in the daily guardrail; injectable for tests. */
  now?: () => Date;
}

export interface CreateTransferInput {
  invoiceId: string;
  externalId: string;
  amount: number;
}

const KNOWN_STATUSES: readonly string[] = ['created', 'processing', 'success', 'failed', 'canceled'];
// When one externalId maps to several transfers (a create that raced its own retry), the best one wins;
// Stark Bank fails every duplicate of an externalId, so at most one can ever succeed.
const PREFERENCE: Record<TransferStatus, number> = {
  success: 0,
  processing: 1,
  created: 2,
  unknown: 3,
  canceled: 4,
  failed: 5,
};

export function createTransferActivities({ user, destination, now = () => new Date() }: TransferActivityDeps) {
  const todayTotal = createDailyPayoutTotal(async (day) => {
    const transfers = await starkCall('query payout transfers of today', () =>
      collect(starkbank.transfer.query({ tags: [PAYOUT_TAG], after: day, user }), transferSchema),
    );
    return transfers.filter((t) => !['failed', 'canceled'].includes(t.status)).reduce((sum, t) => sum + t.amount, 0);
  }, now);

  async function findByExternalId(externalId: string): Promise<Transfer[]> {
    // transfer.query cannot filter by externalId, so every payout transfer also carries it as a tag.
    const tagged = await starkCall(`query transfers tagged ${externalId}`, () =>
      collect(starkbank.transfer.query({ tags: [externalId], user }), transferSchema),
    );
    return tagged.filter((t) => t.externalId === externalId);
  }

  async function failureReason(transferId: string): Promise<string | undefined> {
    const logs = await starkCall(`query failed log of transfer ${transferId}`, () =>
      collect(starkbank.transfer.log.query({ transferIds: [transferId], types: ['failed'], user }), transferLogSchema),
    );
    const reasons = logs.flatMap((log) => log.errors);
    return reasons.length > 0 ? reasons.join('; ') : 'failed without a reason from Stark Bank';
  }

  async function snapshot(t: Transfer, externalId: string): Promise<TransferSnapshot> {
    const status = toStatus(t.status);
    return {
      id: t.id,
      externalId,
      amount: t.amount,
      status,
      failureReason: status === 'failed' ? await failureReason(t.id) : undefined,
    };
  }

  return {
    /** The transfer for an externalId, or null when none exists. Settles "unknown outcome" after a lost response. */
    async lookupTransfer(externalId: string): Promise<TransferSnapshot | null> {
      const best = pickBest(await findByExternalId(externalId));
      return best ? snapshot(best, externalId) : null;
    },

    /**
     * Idempotent: looks the externalId up first and creates only when nothing exists. A timeout or lost
     * response fails this attempt; the retry then finds what was committed instead of creating it twice.
     */
    async createTransfer({ invoiceId, externalId, amount }: CreateTransferInput): Promise<TransferSnapshot> {
      const existing = pickBest(await findByExternalId(externalId));
      if (existing) {
        if (existing.amount !== amount) {
          throw ApplicationFailure.nonRetryable(
            `transfer ${existing.id} for ${externalId} has amount ${existing.amount}, expected ${amount}`,
            ErrorTypes.unexpectedState,
          );
        }
        return snapshot(existing, externalId);
      }
      const [created] = await starkCall(`create transfer ${externalId}`, () =>
        starkbank.transfer.create(
          [
            new starkbank.Transfer({
              amount,
              ...destination,
              externalId,
              tags: [PAYOUT_TAG, externalId],
              description: `Payout of invoice ${invoiceId}`,
            }),
          ],
          { user },
        ),
      );
      transfersCreated.inc();
      amountTransferred.inc(amount);
      todayTotal.add(amount);
      return snapshot(transferSchema.parse(created), externalId);
    },

    /** Sum of today's (UTC) payout transfers that did not fail, for the daily guardrail. */
    sumTransfersSentToday(): Promise<number> {
      return todayTotal.get();
    },
  };
}

function toStatus(status: string): TransferStatus {
  return KNOWN_STATUSES.includes(status) ? (status as TransferStatus) : 'unknown';
}

function pickBest(transfers: Transfer[]): Transfer | undefined {
  return [...transfers].sort((a, b) => PREFERENCE[toStatus(a.status)] - PREFERENCE[toStatus(b.status)])[0];
}
