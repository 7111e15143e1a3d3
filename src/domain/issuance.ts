/** Pure helpers for invoice issuance, shared by the issuance workflow and its activities. */

export interface IssuanceInput {
  count: { min: number; max: number };
  amountCents: { min: number; max: number };
  dueInDays: number;
}

/**
 * One invoice a run will issue, as its workflow history keeps it: no person in it. The payer is made from the
 * batch id and the index when the invoice is created (payerOf), so a retry issues it to the same person.
 */
export interface InvoicePlan {
  /** Position in the batch; with the batch tag it makes the invoice's idempotency tag. */
  index: number;
  amount: number;
  due: string;
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
  const dashed = workflowId.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  // Stryker disable next-line Regex: equivalent, `dashed` has at most one dash at either end
  return dashed.replace(/^-+|-+$/g, '');
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

/**
 * A stream of numbers in [0, 1) from a string seed (FNV-1a, then mulberry32): what a run draws is its own, so
 * nothing else that draws from the workflow's random stream (tracing's span ids) can change it.
 */
export function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A run's invoices: how many and their amounts, drawn from a stream seeded by the run's workflow id. */
export function planIssuance(workflowId: string, input: IssuanceInput, nowMs: number): InvoicePlan[] {
  const random = seededRandom(workflowId);
  const count = pickInRange(random(), input.count);
  const due = new Date(nowMs + input.dueInDays * 86_400_000).toISOString();
  return Array.from({ length: count }, (_, index) => ({
    index,
    amount: pickInRange(random(), input.amountCents),
    due,
  }));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** A valid CPF (with its two check digits) from nine digits. */
export function cpfFromDigits(nine: readonly number[]): string {
  if (nine.length !== 9 || nine.some((d) => !Number.isInteger(d) || d < 0 || d > 9)) {
    throw new RangeError('a CPF starts with nine digits');
  }
  const check = (digits: readonly number[]) => {
    const sum = digits.reduce((acc, d, i) => acc + d * (digits.length + 1 - i), 0);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  const first = check(nine);
  const all = [...nine, first, check([...nine, first])].join('');
  return `${all.slice(0, 3)}.${all.slice(3, 6)}.${all.slice(6, 9)}-${all.slice(9)}`;
}

/** A 32-bit seed for the payer of one invoice of a batch. */
export function payerSeed(batchId: string, index: number): number {
  let hash = 2166136261;
  for (const char of `${batchId}#${index}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}
