import starkbank from 'starkbank';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { transferLogSchema, transferSchema, type Transfer } from '../starkbank/schemas';
import type { Destination } from '../domain/destination';
import { attemptOfExternalId, invoiceTransfersTag, PAYOUT_TAG } from '../domain/payoutIds';
import { sendThroughGate, type GateDeps, type Rejection, type SendOutcome, type SendRequest } from '../domain/sendGate';
import { KNOWN_TRANSFER_STATUSES, type TransferSnapshot, type TransferStatus } from '../domain/types';
import { starkCall, starkWrite } from './starkCall';
import { whileHeartbeating } from './heartbeating';
import { readCreditedInvoice } from './invoices';
import type { BudgetClient } from './budget';
import { amountTransferred, transfersCreated } from '../observability/metrics';

export interface TransferActivityDeps {
  user: StarkUser;
  destination: Destination;
  /** How long after a lost answer a late commit can still appear. */
  lateCommitMs: number;
  /** The operator's controls and the day's budget, which the send gate reads right before each create. */
  readRejection: (invoiceId: string) => Promise<Rejection | undefined>;
  readPause: () => Promise<{ paused: boolean; reason?: string }>;
  readApprovals: NonNullable<GateDeps['readApprovals']>;
  budget: BudgetClient;
  maxTransferCents: number;
  secondApprovalCents?: number;
}

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

/** Finding the transfers of a payout at Stark Bank: by externalId, or every one of an invoice. */
export function createTransferFinder(user: StarkUser) {
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
    snapshot,
    /** The raw transfers of an externalId (a create that raced its own retry can have made several). */
    findByExternalId,

    /** The transfer made under an externalId, if any. */
    findTransfer: async (externalId: string): Promise<TransferSnapshot | undefined> => {
      const best = pickBest(await findByExternalId(externalId));
      return best ? snapshot(best, externalId) : undefined;
    },

    /**
     * Every transfer any payout run made for an invoice, with its attempt number: a restarted payout, or one whose
     * earlier run is gone, continues from them instead of sending again.
     */
    findTransfersOfInvoice: async (invoiceId: string): Promise<(TransferSnapshot & { attempt: number })[]> => {
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
  };
}

export type TransferFinder = ReturnType<typeof createTransferFinder>;

export function createTransferActivities(deps: TransferActivityDeps & { finder: TransferFinder }) {
  const { user, destination, lateCommitMs, finder } = deps;

  async function create({ invoiceId, externalId, amount }: { invoiceId: string; externalId: string; amount: number }) {
    // A lost answer is settled by looking the externalId up until a late commit would have shown.
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
      { lookup: async () => pickBest(await finder.findByExternalId(externalId)), windowMs: lateCommitMs },
    );
    return finder.snapshot(created, externalId);
  }

  return {
    /**
     * The one place money moves: creates the payout's transfer through the send gate (src/domain/sendGate.ts),
     * which checks the decision record, the pause switch, the per-transfer maximum, four eyes, the day's grant and
     * the amount owed now right before the create, on every attempt. Idempotent by externalId.
     */
    createTransfer(request: SendRequest): Promise<SendOutcome> {
      return whileHeartbeating(() =>
        sendThroughGate(
          {
            findTransfer: finder.findTransfer,
            readInvoice: (invoiceId) => readCreditedInvoice(user, invoiceId),
            readRejection: deps.readRejection,
            readPause: deps.readPause,
            readApprovals: deps.readApprovals,
            today: deps.budget.today,
            reserve: deps.budget.reserve,
            release: deps.budget.release,
            create,
            maxTransferCents: deps.maxTransferCents,
            secondApprovalCents: deps.secondApprovalCents,
          },
          request,
        ),
      );
    },
  };
}

function toStatus(status: string): TransferStatus {
  return (KNOWN_TRANSFER_STATUSES as readonly string[]).includes(status) ? (status as TransferStatus) : 'unknown';
}

function pickBest(transfers: Transfer[]): Transfer | undefined {
  return [...transfers].sort((a, b) => PREFERENCE[toStatus(a.status)] - PREFERENCE[toStatus(b.status)])[0];
}
