/** Pure helpers for invoice issuance, shared by the issuance workflow and its activities. */

export interface IssuanceInput {
  count: { min: number; max: number };
  amountCents: { min: number; max: number };
  dueInDays: number;
}

export interface InvoiceDraft {
  /** Position in the batch; with the batch tag it makes the invoice's idempotency tag. */
  index: number;
  amount: number;
  name: string;
  taxId: string;
  due: string;
  tags: string[];
}

export interface IssuedInvoice {
  index: number;
  id: string;
  amount: number;
}

export interface IssuanceResult {
  batchId: string;
  count: number;
  totalCents: number;
  invoiceIds: string[];
}

/** Tags must be short, lowercase and URL-safe; a scheduled workflow id has colons and capitals. */
export function batchIdFromWorkflowId(workflowId: string): string {
  return workflowId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function batchTag(batchId: string): string {
  return `batch-${batchId}`;
}

export function invoiceTag(batchId: string, index: number): string {
  return `${batchTag(batchId)}-i${index}`;
}

/** Uniform integer in [min, max] from a random number in [0, 1). */
export function pickInRange(random: number, range: { min: number; max: number }): number {
  if (range.min > range.max) throw new RangeError(`empty range ${range.min}..${range.max}`);
  return range.min + Math.floor(random * (range.max - range.min + 1));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
