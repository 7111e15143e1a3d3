import { scheduledInstantMs } from './clock';
import { adjustBalance, scaled, type EmulatorContext } from './context';
import { ApiError } from './errors';
import { emitEvent } from './events';
import type { TransferInput } from './inputs';
import { formatTaxId } from './taxId';
import type { Transfer, TransferLogType } from './types';

export function findTransfer(ctx: EmulatorContext, id: string): Transfer {
  const transfer = ctx.state.transfers.find((t) => t.id === id);
  if (!transfer) throw ApiError.notFound('Transfer', id);
  return transfer;
}

/**
 * Which earlier transfer this one duplicates. With an externalId: any transfer with the same one. Without:
 * the same amount to the same account on the same day (the API blocks those unless an externalId tells them apart).
 */
function findDuplicate(ctx: EmulatorContext, t: Transfer): Transfer | undefined {
  return ctx.state.transfers.find((other) =>
    t.externalId
      ? other.externalId === t.externalId
      : !other.externalId &&
        other.amount === t.amount &&
        other.bankCode === t.bankCode &&
        other.branchCode === t.branchCode &&
        other.accountNumber === t.accountNumber &&
        other.created.slice(0, 10) === t.created.slice(0, 10),
  );
}

export function createTransfer(ctx: EmulatorContext, input: TransferInput): Transfer {
  const now = ctx.clock.timestamp();
  const taxId = formatTaxId(input.taxId);
  const transfer: Transfer = {
    id: ctx.newId(),
    amount: input.amount,
    name: input.name,
    taxId,
    bankCode: input.bankCode,
    branchCode: input.branchCode,
    accountNumber: input.accountNumber,
    accountType: input.accountType ?? 'checking',
    externalId: input.externalId ?? '',
    tags: (input.tags ?? []).map((tag) => tag.toLowerCase()),
    status: 'created',
    fee: ctx.behaviour.transferFee,
    scheduled: input.scheduled ?? now,
    description: input.description ?? `${input.name} (${taxId})`,
    displayDescription: input.displayDescription ?? '',
    rules: input.rules ?? [],
    metadata: {},
    transactionIds: [],
    created: now,
    updated: now,
  };
  // Accepted now, failed later: the behaviour peers saw in the real sandbox (reference webhook-practice G2).
  const duplicate = findDuplicate(ctx, transfer);
  ctx.state.transferBookkeeping[transfer.id] = { debited: 0, ...(duplicate && { duplicateOf: duplicate.id }) };
  ctx.state.transfers.push(transfer);
  appendTransferLog(ctx, transfer, 'created');
  // A transfer scheduled for later stays `created` until then (bank time from now); others start after the delay.
  const untilScheduled = scheduledInstantMs(transfer.scheduled) - ctx.clock.nowMs();
  const bankDelay = Math.max(untilScheduled, ctx.behaviour.transferSendDelayMs);
  ctx.scheduler.schedule({ kind: 'sendTransfer', transferId: transfer.id }, scaled(ctx, bankDelay));
  return transfer;
}

function appendTransferLog(
  ctx: EmulatorContext,
  transfer: Transfer,
  type: TransferLogType,
  errors: string[] = [],
): void {
  const log = { id: ctx.newId(), type, created: ctx.clock.timestamp(), errors, transfer: structuredClone(transfer) };
  ctx.state.transferLogs.push(log);
  emitEvent(ctx, 'transfer', log);
}

/** Status `processing`, log `sending`; the money (amount + fee) leaves the balance now if it is there. */
function sendTransfer(ctx: EmulatorContext, transfer: Transfer): void {
  const books = ctx.state.transferBookkeeping[transfer.id] ?? { debited: 0 };
  const cost = transfer.amount + transfer.fee;
  if (!books.duplicateOf && ctx.state.balance.amount >= cost) {
    adjustBalance(ctx, -cost);
    books.debited = cost;
  }
  ctx.state.transferBookkeeping[transfer.id] = books;
  transfer.status = 'processing';
  transfer.updated = ctx.clock.timestamp();
  appendTransferLog(ctx, transfer, 'sending');
}

type Outcome = { status: 'success' } | { status: 'failed'; errors: string[] };

function naturalOutcome(ctx: EmulatorContext, transfer: Transfer): Outcome {
  const books = ctx.state.transferBookkeeping[transfer.id];
  if (books?.duplicateOf) {
    const reason = transfer.externalId
      ? `Duplicated transfer: externalId "${transfer.externalId}" was already used by transfer ${books.duplicateOf}`
      : `Duplicated transfer: same amount to the same account today as transfer ${books.duplicateOf}; set an externalId`;
    return { status: 'failed', errors: [reason] };
  }
  if (!books?.debited) return { status: 'failed', errors: ['invalidbalance'] };
  if (ctx.random.lifecycle.chance(ctx.behaviour.transferFailShare)) {
    return { status: 'failed', errors: ['The receiving institution rejected the transfer (emulated failure)'] };
  }
  return { status: 'success' };
}

function finishTransfer(ctx: EmulatorContext, transfer: Transfer, outcome: Outcome): void {
  const books = ctx.state.transferBookkeeping[transfer.id] ?? { debited: 0 };
  if (outcome.status === 'failed' && books.debited > 0) {
    adjustBalance(ctx, books.debited);
    books.debited = 0;
  }
  if (outcome.status === 'success') transfer.transactionIds.push(ctx.newId());
  transfer.status = outcome.status;
  transfer.updated = ctx.clock.timestamp();
  appendTransferLog(ctx, transfer, outcome.status, outcome.status === 'failed' ? outcome.errors : []);
}

/** Admin override: ends a transfer now with the given outcome (success even without balance: it may go negative). */
export function settleTransfer(
  ctx: EmulatorContext,
  id: string,
  status: 'success' | 'failed',
  reason?: string,
): Transfer {
  const transfer = findTransfer(ctx, id);
  if (transfer.status !== 'created' && transfer.status !== 'processing') {
    throw ApiError.invalid('invalidTransferStatus', `Transfer ${id} is already ${transfer.status}`);
  }
  ctx.scheduler.cancel((job) => 'transferId' in job && job.transferId === id);
  if (transfer.status === 'created') sendTransfer(ctx, transfer);
  const books = ctx.state.transferBookkeeping[id] ?? { debited: 0 };
  if (status === 'success' && books.debited === 0) {
    books.debited = transfer.amount + transfer.fee;
    adjustBalance(ctx, -books.debited);
  }
  ctx.state.transferBookkeeping[id] = books;
  finishTransfer(
    ctx,
    transfer,
    status === 'success' ? { status } : { status, errors: [reason ?? 'Failed by the emulator admin'] },
  );
  return transfer;
}

/** `DELETE /transfer/:id`: cancels a transfer that has not started processing, so no money has moved. */
export function cancelTransfer(ctx: EmulatorContext, id: string): Transfer {
  const transfer = findTransfer(ctx, id);
  if (transfer.status !== 'created') {
    throw ApiError.invalid(
      'invalidTransferStatus',
      `Transfer ${id} is ${transfer.status}: only a transfer not yet processing can be canceled`,
    );
  }
  ctx.scheduler.cancel((job) => 'transferId' in job && job.transferId === id);
  transfer.status = 'canceled';
  transfer.updated = ctx.clock.timestamp();
  appendTransferLog(ctx, transfer, 'canceled');
  return transfer;
}

export function registerTransferJobs(ctx: EmulatorContext): void {
  ctx.scheduler.handle('sendTransfer', (job) => {
    const transfer = ctx.state.transfers.find((t) => t.id === job.transferId);
    if (transfer?.status !== 'created') return;
    sendTransfer(ctx, transfer);
    ctx.scheduler.schedule(
      { kind: 'settleTransfer', transferId: transfer.id },
      scaled(ctx, ctx.behaviour.transferSettleDelayMs),
    );
  });
  ctx.scheduler.handle('settleTransfer', (job) => {
    const transfer = ctx.state.transfers.find((t) => t.id === job.transferId);
    if (transfer?.status === 'processing') finishTransfer(ctx, transfer, naturalOutcome(ctx, transfer));
  });
}
