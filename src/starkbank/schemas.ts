import { z } from 'zod';

/**
 * Only the fields the product relies on, validated at the SDK boundary. Unknown fields are dropped;
 * a missing or mistyped field we depend on fails loudly instead of moving the wrong amount of money.
 */
const cents = z.number().int();

export const invoiceSchema = z.object({
  id: z.string(),
  amount: cents,
  nominalAmount: cents.optional(),
  // A missing fee would silently send the gross amount: it must be there.
  fee: cents,
  status: z.string(),
  name: z.string().optional(),
  taxId: z.string().optional(),
  tags: z.array(z.string()).default([]),
});
export type Invoice = z.infer<typeof invoiceSchema>;

export const invoiceLogSchema = z.object({
  id: z.string(),
  type: z.string(),
  created: z.unknown(),
  invoice: invoiceSchema,
});
export type InvoiceLog = z.infer<typeof invoiceLogSchema>;

export const transferSchema = z.object({
  id: z.string(),
  amount: cents,
  status: z.string(),
  externalId: z.string().nullish(),
  tags: z.array(z.string()).default([]),
  created: z.unknown(),
  bankCode: z.string().optional(),
  branchCode: z.string().optional(),
  accountNumber: z.string().optional(),
  taxId: z.string().optional(),
});
export type Transfer = z.infer<typeof transferSchema>;

export const transferLogSchema = z.object({
  id: z.string(),
  type: z.string(),
  errors: z.array(z.string()).default([]),
  transfer: z.object({ id: z.string() }).loose(),
});
