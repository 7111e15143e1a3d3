import starkbank from 'starkbank';
import { ApplicationFailure } from '@temporalio/common';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { transferLogSchema, transferSchema, type Transfer } from '../starkbank/schemas';
import type { Destination } from '../domain/destination';
import { attemptOfExternalId, invoiceTransfersTag, PAYOUT_TAG } from '../domain/payoutIds';
import {
  KNOWN_TRANSFER_STATUSES,
  type CreditedInvoice,
  type TransferSnapshot,
  type TransferStatus,
} from '../domain/types';
import { ErrorTypes } from '../domain/errorTypes';
import { owedCents } from '../domain/money';
import { starkCall, starkWrite } from './starkCall';
import { readCreditedInvoice } from './invoices';
import { amountTransferred, transfersCreated } from '../observability/metrics';

export interface TransferActivityDeps {
  user: StarkUser;
  destination: Destination;
  /** Reads the pause switch; a switch that cannot be read counts as on. */
  readPauseSwitch: () => Promise<{ paused: boolean; reason?: string }>;
  /** How long after a lost answer a late commit can still appear. */
  lateCommitMs: number;
}

export interface CreateTransferInput {
  invoiceId: string;
  externalId: string;
  /** The most it may send: what the day's budget granted and an approval covered, from the payout's check. */
  maxAmount: number;
}

/** A transfer (made now or by an earlier attempt), or nothing because reversals left nothing to send. */
export type CreateTransferResult =
  { outcome: 'transfer'; transfer: TransferSnapshot } | { outcome: 'nothing-left'; credited: CreditedInvoice };

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

export function createTransferActivities({ user, destination, readPauseSwitch, lateCommitMs }: TransferActivityDeps) {
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
      ...(status === 'unknown' && { rawStatus: t.status }),
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
     * Every transfer any payout run made for an invoice, with its attempt number: a restarted payout, or one whose
     * earlier run is gone, continues from them instead of sending again.
     */
    async findTransfersOfInvoice(invoiceId: string): Promise<(TransferSnapshot & { attempt: number })[]> {
      const tagged = await starkCall(`query transfers of invoice ${invoiceId}`, () =>
        collect(starkbank.transfer.query({ tags: [invoiceTransfersTag(invoiceId)], user }), transferSchema),
      );
      const found: (TransferSnapshot & { attempt: number })[] = [];
      for (const t of tagged) {
        const attempt = t.externalId ? attemptOfExternalId(invoiceId, t.externalId) : undefined;
        if (attempt !== undefined) found.push({ ...(await snapshot(t, t.externalId!)), attempt });
      }
      return found.sort((a, b) => a.attempt - b.attempt || PREFERENCE[a.status] - PREFERENCE[b.status]);
    },

    /**
     * Idempotent: looks the externalId up first and creates only when nothing exists, and only while payouts are
     * not paused (checked before every attempt, so a create that was retrying stops when an operator pauses). A
     * lost answer is settled by looking the externalId up until a late commit would have shown.
     * The amount is read from the API on every attempt, right before the create: credited − fee − reversed, never
     * more than `maxAmount`, and no transfer at all when reversals left nothing.
     */
    async createTransfer({ invoiceId, externalId, maxAmount }: CreateTransferInput): Promise<CreateTransferResult> {
      const existing = pickBest(await findByExternalId(externalId));
      if (existing) {
        // Made by an earlier attempt with what was owed then; a reversal since is a loss, not a reason to stop.
        if (existing.amount > maxAmount) {
          throw ApplicationFailure.nonRetryable(
            `transfer ${existing.id} for ${externalId} has amount ${existing.amount}, above the ${maxAmount} granted`,
            ErrorTypes.unexpectedState,
          );
        }
        return { outcome: 'transfer', transfer: await snapshot(existing, externalId) };
      }
      const pause = await readPauseSwitch();
      if (pause.paused) {
        throw ApplicationFailure.nonRetryable(pause.reason ?? 'payouts are paused', ErrorTypes.paused);
      }
      const credited = await readCreditedInvoice(user, invoiceId);
      if (credited.status !== 'paid') {
        throw ApplicationFailure.nonRetryable(
          `invoice ${invoiceId} is ${credited.status} now, not paid: a person must decide`,
          ErrorTypes.unexpectedState,
        );
      }
      const owed = owedCents(credited);
      if (owed <= 0) return { outcome: 'nothing-left', credited };
      const amount = Math.min(owed, maxAmount);
      const created = await starkWrite(
        `create transfer ${externalId}`,
        async () => {
          const [made] = await starkbank.transfer.create(
            [
              new starkbank.Transfer({
                amount,
                ...destination,
                externalId,
                tags: [...new Set([PAYOUT_TAG, invoiceTransfersTag(invoiceId), externalId])],
                description: `Payout of invoice ${invoiceId}`,
              }),
            ],
            { user },
          );
          transfersCreated.inc();
          amountTransferred.inc(amount);
          return transferSchema.parse(made);
        },
        { lookup: async () => pickBest(await findByExternalId(externalId)), windowMs: lateCommitMs },
      );
      return { outcome: 'transfer', transfer: await snapshot(created, externalId) };
    },
  };
}

function toStatus(status: string): TransferStatus {
  return (KNOWN_TRANSFER_STATUSES as readonly string[]).includes(status) ? (status as TransferStatus) : 'unknown';
}

function pickBest(transfers: Transfer[]): Transfer | undefined {
  return [...transfers].sort((a, b) => PREFERENCE[toStatus(a.status)] - PREFERENCE[toStatus(b.status)])[0];
}
