import starkbank from 'starkbank';
import { fakerPT_BR as faker } from '@faker-js/faker';
import { cpf } from 'cpf-cnpj-validator';
import type { StarkUser } from '../starkbank/user';
import { collect } from '../starkbank/list';
import { invoiceSchema } from '../starkbank/schemas';
import {
  batchTag,
  chunk,
  invoiceTag,
  pickInRange,
  type InvoiceDraft,
  type IssuanceInput,
  type IssuedInvoice,
} from '../domain/issuance';
import { starkCall, starkWrite } from './starkCall';

export interface IssuanceActivityDeps {
  user: StarkUser;
  /** How long after a lost answer a late commit can still appear. */
  lateCommitMs: number;
  now?: () => Date;
}

export interface DraftRequest {
  batchId: string;
  count: number;
  amountCents: IssuanceInput['amountCents'];
  dueInDays: number;
}

/** Stark Bank accepts at most 100 invoices per create call. */
const MAX_PER_CREATE = 100;

export function createIssuanceActivities({ user, lateCommitMs, now = () => new Date() }: IssuanceActivityDeps) {
  return {
    /**
     * Random people and amounts for one batch. Its result is recorded in the workflow history, so every retry
     * of the create step sees exactly these drafts: the batch is deterministic for its run.
     */
    draftInvoices(input: DraftRequest): Promise<InvoiceDraft[]> {
      const due = new Date(now().getTime() + input.dueInDays * 86_400_000).toISOString();
      const drafts = Array.from({ length: input.count }, (_, index) => ({
        index,
        amount: pickInRange(Math.random(), input.amountCents),
        name: faker.person.fullName(),
        taxId: cpf.generate(true),
        due,
        tags: ['issuance', batchTag(input.batchId), invoiceTag(input.batchId, index)],
      }));
      return Promise.resolve(drafts);
    },

    /**
     * Idempotent: finds what an earlier attempt already created (by the batch tag) and creates only the rest, and
     * settles a lost answer by looking the batch up until a late commit would have shown, so neither a retry nor
     * a slow commit issues an invoice twice.
     */
    async createInvoices({ batchId, drafts }: { batchId: string; drafts: InvoiceDraft[] }): Promise<IssuedInvoice[]> {
      const findIssued = async (): Promise<Map<number, IssuedInvoice>> => {
        const existing = await starkCall(`query invoices of batch ${batchId}`, () =>
          collect(starkbank.invoice.query({ tags: [batchTag(batchId)], user }), invoiceSchema),
        );
        const found = new Map<number, IssuedInvoice>();
        for (const invoice of existing) {
          const draft = drafts.find((d) => invoice.tags.includes(invoiceTag(batchId, d.index)));
          if (draft) found.set(draft.index, { index: draft.index, id: invoice.id, amount: invoice.amount });
        }
        return found;
      };
      const issued = await findIssued();
      const missing = drafts.filter((d) => !issued.has(d.index));
      for (const part of chunk(missing, MAX_PER_CREATE)) {
        const created = await starkWrite(
          `create ${part.length} invoices of batch ${batchId}`,
          async () => {
            const made = await starkbank.invoice.create(
              part.map(
                (d) =>
                  new starkbank.Invoice({ amount: d.amount, name: d.name, taxId: d.taxId, due: d.due, tags: d.tags }),
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
