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
import { starkCall } from './starkCall';

export interface IssuanceActivityDeps {
  user: StarkUser;
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

export function createIssuanceActivities({ user, now = () => new Date() }: IssuanceActivityDeps) {
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
     * Idempotent: finds what an earlier attempt already created (by the batch tag) and creates only the rest,
     * so a lost response or a retry never issues an invoice twice.
     */
    async createInvoices({ batchId, drafts }: { batchId: string; drafts: InvoiceDraft[] }): Promise<IssuedInvoice[]> {
      const existing = await starkCall(`query invoices of batch ${batchId}`, () =>
        collect(starkbank.invoice.query({ tags: [batchTag(batchId)], user }), invoiceSchema),
      );
      const issued = new Map<number, IssuedInvoice>();
      for (const invoice of existing) {
        const draft = drafts.find((d) => invoice.tags.includes(invoiceTag(batchId, d.index)));
        if (draft) issued.set(draft.index, { index: draft.index, id: invoice.id, amount: invoice.amount });
      }
      const missing = drafts.filter((d) => !issued.has(d.index));
      for (const part of chunk(missing, MAX_PER_CREATE)) {
        const created = await starkCall(`create ${part.length} invoices of batch ${batchId}`, () =>
          starkbank.invoice.create(
            part.map(
              (d) =>
                new starkbank.Invoice({ amount: d.amount, name: d.name, taxId: d.taxId, due: d.due, tags: d.tags }),
            ),
            { user },
          ),
        );
        created.forEach((raw, i) => {
          const invoice = invoiceSchema.parse(raw);
          issued.set(part[i]!.index, { index: part[i]!.index, id: invoice.id, amount: invoice.amount });
        });
      }
      return [...issued.values()].sort((a, b) => a.index - b.index);
    },
  };
}
