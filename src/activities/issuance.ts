import starkbank from 'starkbank';
import { fakerPT_BR as faker } from '@faker-js/faker';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { invoiceSchema } from '../starkbank/schemas';
import {
  batchTag,
  chunk,
  invoiceTag,
  cpfFromDigits,
  payerSeed,
  type InvoicePlan,
  type IssuedInvoice,
} from '../domain/issuance';
import { starkCall, starkWrite } from './starkCall';

export interface IssuanceActivityDeps {
  user: StarkUser;
  /** How long after a lost answer a late commit can still appear. */
  lateCommitMs: number;
}

/** Stark Bank accepts at most 100 invoices per create call. */
const MAX_PER_CREATE = 100;

/** The invoice's payer: a realistic Brazilian name and a valid CPF, the same for the same batch and index. */
export function payerOf(batchId: string, index: number): { name: string; taxId: string } {
  // Seeding and drawing in one synchronous stretch: no other call can use the shared generator in between.
  faker.seed(payerSeed(batchId, index));
  const name = faker.person.fullName();
  let digits = Array.from({ length: 9 }, () => faker.number.int({ min: 0, max: 9 }));
  // Nine equal digits make a well-formed but invalid CPF.
  if (digits.every((d) => d === digits[0])) digits = [...digits.slice(0, 8), (digits[0]! + 1) % 10];
  return { name, taxId: cpfFromDigits(digits) };
}

export function createIssuanceActivities({ user, lateCommitMs }: IssuanceActivityDeps) {
  return {
    /**
     * Idempotent: finds what an earlier attempt already created (by the batch tag) and creates only the rest, and
     * settles a lost answer by looking the batch up until a late commit would have shown, so neither a retry nor
     * a slow commit issues an invoice twice.
     */
    async createInvoices({ batchId, plans }: { batchId: string; plans: InvoicePlan[] }): Promise<IssuedInvoice[]> {
      const findIssued = async (): Promise<Map<number, IssuedInvoice>> => {
        const existing = await starkCall(`query invoices of batch ${batchId}`, () =>
          collect(starkbank.invoice.query({ tags: [batchTag(batchId)], user }), invoiceSchema),
        );
        const found = new Map<number, IssuedInvoice>();
        for (const invoice of existing) {
          const plan = plans.find((p) => invoice.tags.includes(invoiceTag(batchId, p.index)));
          if (plan) found.set(plan.index, { index: plan.index, id: invoice.id, amount: invoice.amount });
        }
        return found;
      };
      const issued = await findIssued();
      const missing = plans.filter((p) => !issued.has(p.index));
      for (const part of chunk(missing, MAX_PER_CREATE)) {
        const created = await starkWrite(
          `create ${part.length} invoices of batch ${batchId}`,
          async () => {
            const made = await starkbank.invoice.create(
              part.map(
                (p) =>
                  new starkbank.Invoice({
                    amount: p.amount,
                    ...payerOf(batchId, p.index),
                    due: p.due,
                    tags: ['issuance', batchTag(batchId), invoiceTag(batchId, p.index)],
                  }),
              ),
              { user },
            );
            return made.map((raw, i) => {
              const invoice = invoiceSchema.parse(raw);
              return { index: part[i]!.index, id: invoice.id, amount: invoice.amount };
            });
          },
          {
            // A create is all or nothing: the part counts as committed once every one of its invoices shows.
            lookup: async () => {
              const found = await findIssued();
              return part.every((d) => found.has(d.index)) ? part.map((d) => found.get(d.index)!) : undefined;
            },
            windowMs: lateCommitMs,
          },
        );
        for (const invoice of created) issued.set(invoice.index, invoice);
      }
      return [...issued.values()].sort((a, b) => a.index - b.index);
    },
  };
}
