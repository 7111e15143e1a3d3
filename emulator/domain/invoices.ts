import { addSeconds, dueInstantMs } from './clock';
import { adjustBalance, scaled, type EmulatorContext } from './context';
import { ApiError } from './errors';
import { emitEvent } from './events';
import type { InvoiceInput, InvoicePatch } from './inputs';
import { pixBrcode } from './brcode';
import { formatTaxId } from './taxId';
import type { Invoice, InvoiceLogType } from './types';

const TWO_DAYS_SECONDS = 2 * 24 * 3600;
const DEFAULT_EXPIRATION_SECONDS = 5_097_600; // 59 days, the API default

export function findInvoice(ctx: EmulatorContext, id: string): Invoice {
  const invoice = ctx.state.invoices.find((i) => i.id === id);
  if (!invoice) throw ApiError.notFound('Invoice', id);
  return invoice;
}

export function createInvoice(ctx: EmulatorContext, input: InvoiceInput): Invoice {
  const now = ctx.clock.timestamp();
  const uuid = ctx.random.ids.hex(32);
  const invoice: Invoice = {
    id: ctx.newId(),
    amount: input.amount,
    nominalAmount: input.amount,
    fineAmount: 0,
    interestAmount: 0,
    discountAmount: 0,
    fee: 0,
    status: 'created',
    name: input.name,
    taxId: formatTaxId(input.taxId),
    due: input.due ?? addSeconds(now, TWO_DAYS_SECONDS),
    expiration: input.expiration ?? DEFAULT_EXPIRATION_SECONDS,
    fine: input.fine ?? 2,
    interest: input.interest ?? 1,
    discounts: input.discounts ?? [],
    descriptions: input.descriptions ?? [],
    tags: (input.tags ?? []).map((tag) => tag.toLowerCase()),
    rules: input.rules ?? [],
    splits: input.splits ?? [],
    displayDescription: input.displayDescription ?? '',
    brcode: pixBrcode(uuid),
    link: `https://emulator.emulator.starkbank.com/invoicelink/${uuid}`,
    pdf: `https://sandbox.api.starkbank.com/v2/invoice/${uuid}.pdf`,
    transactionIds: [],
    created: now,
    updated: now,
  };
  ctx.state.invoices.push(invoice);
  appendInvoiceLog(ctx, invoice, 'created');
  if (ctx.random.lifecycle.chance(ctx.behaviour.payShare)) {
    const { payDelayMinMs, payDelayMaxMs } = ctx.behaviour;
    const delay = ctx.random.lifecycle.int(payDelayMinMs, payDelayMaxMs);
    ctx.scheduler.schedule({ kind: 'payInvoice', invoiceId: invoice.id }, scaled(ctx, delay));
  }
  scheduleOverdue(ctx, invoice);
  return invoice;
}

/** The invoice becomes `overdue` at its due time, counted in bank time from now. */
function scheduleOverdue(ctx: EmulatorContext, invoice: Invoice): void {
  const bankMs = dueInstantMs(invoice.due) - ctx.clock.nowMs();
  ctx.scheduler.schedule({ kind: 'overdueInvoice', invoiceId: invoice.id }, scaled(ctx, bankMs));
}

/** Drops the pending payment and due/expiration timers of an invoice that left the unpaid states. */
function cancelUnpaidJobs(ctx: EmulatorContext, id: string): void {
  const unpaidKinds = new Set(['payInvoice', 'overdueInvoice', 'expireInvoice']);
  ctx.scheduler.cancel((job) => unpaidKinds.has(job.kind) && 'invoiceId' in job && job.invoiceId === id);
}

/**
 * Arms the deadline again after `due` or `expiration` changed, in bank time from now. A due moved into the future
 * makes an overdue invoice `created` again; an overdue invoice expires `expiration` after it became overdue.
 */
function rearmDeadline(ctx: EmulatorContext, invoice: Invoice, dueChanged: boolean): void {
  const now = ctx.clock.nowMs();
  const due = dueInstantMs(invoice.due);
  if (dueChanged && due > now) invoice.status = 'created';
  if (invoice.status === 'created' && !dueChanged) return; // the overdue timer reads `expiration` when it fires
  const kinds = new Set(['overdueInvoice', 'expireInvoice']);
  ctx.scheduler.cancel((job) => kinds.has(job.kind) && 'invoiceId' in job && job.invoiceId === invoice.id);
  if (invoice.status === 'created') return scheduleOverdue(ctx, invoice);
  const overdueLogs = ctx.state.invoiceLogs.filter((l) => l.invoice.id === invoice.id && l.type === 'overdue');
  const overdueSince = Date.parse(overdueLogs.at(-1)?.created ?? '') || now;
  const expiresAt = dueChanged
    ? now + scaled(ctx, due + invoice.expiration * 1000 - now)
    : overdueSince + scaled(ctx, invoice.expiration * 1000);
  ctx.scheduler.schedule({ kind: 'expireInvoice', invoiceId: invoice.id }, expiresAt - now);
}

/**
 * A paid invoice only takes a lower amount: the difference goes back to the payer and leaves the balance. Each
 * reversal writes a `reversed` log; amount 0 reverses all that is left.
 */
function reverseInvoice(ctx: EmulatorContext, invoice: Invoice, patch: InvoicePatch): Invoice {
  if (patch.amount === undefined || patch.due !== undefined || patch.expiration !== undefined) {
    throw ApiError.invalid('invalidInvoiceStatus', `Invoice ${invoice.id} is paid: only a lower amount can be set`);
  }
  if (patch.amount >= invoice.amount) {
    throw ApiError.invalid(
      'invalidAmount',
      `Invoice ${invoice.id} is paid: amount must be below the ${invoice.amount} not yet reversed`,
    );
  }
  const reversed = invoice.amount - patch.amount;
  if (ctx.state.balance.amount < reversed) {
    throw ApiError.invalid(
      'invalidBalance',
      `The balance of ${ctx.state.balance.amount} cannot cover a reversal of ${reversed}`,
    );
  }
  adjustBalance(ctx, -reversed);
  invoice.amount = patch.amount;
  invoice.transactionIds.push(ctx.newId());
  invoice.updated = ctx.clock.timestamp();
  appendInvoiceLog(ctx, invoice, 'reversed');
  return invoice;
}

/** `PATCH /invoice/:id`: cancels, changes an unpaid invoice's amount, due or expiration, or reverses a paid one. */
export function updateInvoice(ctx: EmulatorContext, id: string, patch: InvoicePatch): Invoice {
  const invoice = findInvoice(ctx, id);
  const changed = (['amount', 'due', 'expiration'] as const).filter((key) => patch[key] !== undefined);
  if (patch.status === 'canceled') {
    if (changed.length > 0) {
      throw ApiError.invalid('invalidParameter', `status "canceled" cannot be combined with ${changed.join(', ')}`);
    }
    return cancelInvoice(ctx, id);
  }
  if (changed.length === 0) {
    throw ApiError.invalid('invalidParameter', 'Nothing to update: send amount, due, expiration or status');
  }
  if (invoice.status === 'paid') return reverseInvoice(ctx, invoice, patch);
  if (invoice.status !== 'created' && invoice.status !== 'overdue') {
    throw ApiError.invalid('invalidInvoiceStatus', `Invoice ${id} is ${invoice.status} and cannot be updated`);
  }
  if (patch.amount !== undefined) invoice.amount = invoice.nominalAmount = patch.amount;
  if (patch.due !== undefined) invoice.due = patch.due;
  if (patch.expiration !== undefined) invoice.expiration = patch.expiration;
  if (patch.due !== undefined || patch.expiration !== undefined) rearmDeadline(ctx, invoice, patch.due !== undefined);
  invoice.updated = ctx.clock.timestamp();
  appendInvoiceLog(ctx, invoice, 'updated');
  return invoice;
}

export function cancelInvoice(ctx: EmulatorContext, id: string): Invoice {
  const invoice = findInvoice(ctx, id);
  if (invoice.status !== 'created' && invoice.status !== 'overdue') {
    throw ApiError.invalid('invalidInvoiceStatus', `Invoice ${id} is ${invoice.status} and cannot be canceled`);
  }
  cancelUnpaidJobs(ctx, id);
  invoice.status = 'canceled';
  invoice.updated = ctx.clock.timestamp();
  appendInvoiceLog(ctx, invoice, 'canceled');
  return invoice;
}

function appendInvoiceLog(ctx: EmulatorContext, invoice: Invoice, type: InvoiceLogType): void {
  const log = { id: ctx.newId(), type, created: ctx.clock.timestamp(), errors: [], invoice: structuredClone(invoice) };
  ctx.state.invoiceLogs.push(log);
  emitEvent(ctx, 'invoice', log);
}

export interface PaymentOptions {
  /** Amount the payer paid; the nominal amount by default (a random one for open-amount invoices). */
  amount?: number;
  /** Fee charged on the credit; the `invoiceFee` setting by default. */
  fee?: number;
  /** When true the `credited` log follows at once instead of after `creditDelayMs`. */
  creditNow?: boolean;
}

/** The payer pays: status `paid`, log `paid`, and the `credited` log later (or now). */
export function payInvoice(ctx: EmulatorContext, id: string, options: PaymentOptions = {}): Invoice {
  const invoice = findInvoice(ctx, id);
  if (invoice.status !== 'created' && invoice.status !== 'overdue') {
    throw ApiError.invalid('invalidInvoiceStatus', `Invoice ${id} is ${invoice.status} and cannot be paid`);
  }
  cancelUnpaidJobs(ctx, id);
  const amount = options.amount ?? (invoice.nominalAmount || ctx.random.lifecycle.int(100, 100_000));
  const fee = options.fee ?? ctx.behaviour.invoiceFee;
  invoice.status = 'paid';
  invoice.amount = amount;
  invoice.transactionIds.push(ctx.newId());
  invoice.updated = ctx.clock.timestamp();
  appendInvoiceLog(ctx, invoice, 'paid');
  if (options.creditNow) creditInvoice(ctx, id, amount, fee);
  else {
    ctx.scheduler.schedule(
      { kind: 'creditInvoice', invoiceId: id, amount, fee },
      scaled(ctx, ctx.behaviour.creditDelayMs),
    );
  }
  return invoice;
}

/** Money arrives: the fee is set, the status stays `paid`, the balance grows by amount - fee. */
export function creditInvoice(ctx: EmulatorContext, id: string, amount: number, fee: number): void {
  const invoice = findInvoice(ctx, id);
  invoice.fee = fee;
  invoice.updated = ctx.clock.timestamp();
  adjustBalance(ctx, amount - fee);
  appendInvoiceLog(ctx, invoice, 'credited');
}

export function registerInvoiceJobs(ctx: EmulatorContext): void {
  ctx.scheduler.handle('payInvoice', (job) => {
    const invoice = ctx.state.invoices.find((i) => i.id === job.invoiceId);
    // Peers saw the sandbox never pay an overdue invoice on its own (reference webhook-practice G7).
    if (invoice?.status === 'created') payInvoice(ctx, invoice.id);
  });
  ctx.scheduler.handle('creditInvoice', (job) => creditInvoice(ctx, job.invoiceId, job.amount, job.fee));
  ctx.scheduler.handle('overdueInvoice', (job) => {
    const invoice = ctx.state.invoices.find((i) => i.id === job.invoiceId);
    if (invoice?.status !== 'created') return;
    invoice.status = 'overdue';
    invoice.updated = ctx.clock.timestamp();
    appendInvoiceLog(ctx, invoice, 'overdue');
    // Chained from here, so the bank time from due to expiration is exactly `expiration` at any time scale.
    const delay = scaled(ctx, invoice.expiration * 1000);
    ctx.scheduler.schedule({ kind: 'expireInvoice', invoiceId: invoice.id }, delay);
  });
  ctx.scheduler.handle('expireInvoice', (job) => {
    const invoice = ctx.state.invoices.find((i) => i.id === job.invoiceId);
    if (invoice?.status !== 'overdue') return;
    cancelUnpaidJobs(ctx, invoice.id);
    invoice.status = 'expired';
    invoice.updated = ctx.clock.timestamp();
    appendInvoiceLog(ctx, invoice, 'expired');
  });
}
