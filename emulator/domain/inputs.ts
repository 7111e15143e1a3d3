import { z } from 'zod';
import { ApiError, type ErrorItem } from './errors';
import { isValidTaxId } from './taxId';

// Field-level schemas: every issue is reported as `invalid<Field>` (invalidTaxId, invalidAmount, ...),
// listing all problems of all elements at once, as the real API does.

const text = z.string().trim().min(1);
const taxId = z.string().refine(isValidTaxId, 'not a CPF or CNPJ with valid check digits');
const keyValue = z.object({ key: z.string(), value: z.unknown().optional() });
const dateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'not a date or datetime');
const tags = z.array(z.string().max(256)).max(100);

export const invoiceInputSchema = z.object({
  amount: z.number().int().nonnegative(),
  name: text.max(200),
  taxId,
  due: dateTime.optional(),
  expiration: z.number().int().nonnegative().optional(),
  fine: z.number().min(0).max(20).optional(),
  interest: z.number().min(0).max(10).optional(),
  discounts: z
    .array(z.object({ percentage: z.number().positive().max(100), due: dateTime }))
    .max(5)
    .optional(),
  descriptions: z
    .array(z.object({ key: z.string(), value: z.string().optional() }))
    .max(15)
    .optional(),
  tags: tags.optional(),
  rules: z.array(keyValue).optional(),
  splits: z.array(z.unknown()).optional(),
  displayDescription: z.string().optional(),
});
export type InvoiceInput = z.infer<typeof invoiceInputSchema>;

export const transferInputSchema = z.object({
  amount: z.number().int().positive(),
  name: text.max(200),
  taxId,
  // 8-digit ISPB for Pix, 1-3 digit COMPE code for TED.
  bankCode: z.string().regex(/^(\d{8}|\d{1,3})$/, 'expected an 8-digit ISPB or a 1-3 digit bank code'),
  branchCode: z.string().regex(/^\d{1,4}(-\d)?$/, 'expected up to 4 digits'),
  accountNumber: z.string().regex(/^\d{1,20}(-[\dxX])?$/, 'expected digits with an optional -check digit'),
  accountType: z.enum(['checking', 'payment', 'savings', 'salary']).optional(),
  externalId: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{1,200}$/, 'expected a URL-safe string')
    .optional(),
  scheduled: dateTime.optional(),
  description: z.string().max(500).optional(),
  displayDescription: z.string().max(500).optional(),
  tags: tags.optional(),
  rules: z.array(keyValue).optional(),
});
export type TransferInput = z.infer<typeof transferInputSchema>;

/** `PATCH /invoice/:id`: cancel, or change an unpaid invoice's terms, or lower a paid one's amount (a reversal). */
export const invoicePatchSchema = z.object({
  amount: z.number().int().nonnegative().optional(),
  status: z.literal('canceled').optional(),
  due: dateTime.optional(),
  expiration: z.number().int().nonnegative().optional(),
});
export type InvoicePatch = z.infer<typeof invoicePatchSchema>;

const MAX_ITEMS = 100;

function codeFor(field: PropertyKey | undefined): string {
  if (typeof field !== 'string') return 'invalidJson';
  return `invalid${field.charAt(0).toUpperCase()}${field.slice(1)}`;
}

/** Reads `{"<plural>": [...]}` and validates every element; throws one 400 listing every problem. */
export function parseCreateBody<T>(body: unknown, plural: string, schema: z.ZodType<T>): T[] {
  const items = (body as Record<string, unknown> | null)?.[plural];
  if (!Array.isArray(items)) {
    throw ApiError.invalid('invalidJson', `Expected a JSON object with a "${plural}" list`);
  }
  if (items.length === 0) throw ApiError.invalid('emptyList', `The "${plural}" list is empty`);
  if (items.length > MAX_ITEMS) {
    throw ApiError.invalid('tooManyItems', `At most ${MAX_ITEMS} ${plural} per request, got ${items.length}`);
  }
  const errors: ErrorItem[] = [];
  const parsed = items.map((item, index) => {
    const result = schema.safeParse(item);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const field = issue.path.map(String).join('.') || 'element';
      errors.push({ code: codeFor(issue.path[0]), message: `Element ${index}: ${field}: ${issue.message}` });
    }
    return undefined;
  });
  if (errors.length > 0) throw new ApiError(400, errors);
  return parsed as T[];
}

/** Reads an update body (a JSON object); throws one 400 listing every problem. */
export function parsePatchBody<T>(body: unknown, schema: z.ZodType<T>): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.invalid('invalidJson', 'Expected a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    code: codeFor(issue.path[0]),
    message: `${issue.path.map(String).join('.')}: ${issue.message}`,
  }));
  throw new ApiError(400, errors);
}
