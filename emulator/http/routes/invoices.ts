import { Router } from 'express';
import type { EmulatorContext } from '../../domain/context';
import { ApiError } from '../../domain/errors';
import { invoiceInputSchema, invoicePatchSchema, parseCreateBody, parsePatchBody } from '../../domain/inputs';
import { createInvoice, findInvoice, updateInvoice } from '../../domain/invoices';
import { jsonBody, routeId } from '../body';
import { byCreated, createdWithin, csv, listBody, queryOf } from '../paging';

export function invoiceRoutes(ctx: EmulatorContext): Router {
  const router = Router();

  router.post('/invoice', (req, res) => {
    const inputs = parseCreateBody(jsonBody(req), 'invoices', invoiceInputSchema);
    const invoices = inputs.map((input) => createInvoice(ctx, input));
    res.json({ message: 'Invoice(s) successfully created', invoices });
  });

  router.get('/invoice', (req, res) => {
    const params = queryOf(req);
    const [tags, ids, status] = [csv(params, 'tags'), csv(params, 'ids'), csv(params, 'status')];
    const inRange = createdWithin(params);
    const matches = ctx.state.invoices.filter(
      (i) =>
        inRange(i.created) &&
        (!tags || i.tags.some((tag) => tags.includes(tag))) &&
        (!ids || ids.includes(i.id)) &&
        (!status || status.includes(i.status)),
    );
    res.json(listBody(params, 'invoices', matches, byCreated));
  });

  router.get('/invoice/log', (req, res) => {
    const params = queryOf(req);
    const [types, invoiceIds] = [csv(params, 'types'), csv(params, 'invoiceIds')];
    const inRange = createdWithin(params);
    const matches = ctx.state.invoiceLogs.filter(
      (l) =>
        inRange(l.created) && (!types || types.includes(l.type)) && (!invoiceIds || invoiceIds.includes(l.invoice.id)),
    );
    res.json(listBody(params, 'logs', matches, byCreated));
  });

  router.get('/invoice/log/:id', (req, res) => {
    const id = routeId(req);
    const log = ctx.state.invoiceLogs.find((l) => l.id === id);
    if (!log) throw ApiError.notFound('Invoice log', id);
    res.json({ log });
  });

  router.get('/invoice/:id', (req, res) => {
    res.json({ invoice: findInvoice(ctx, routeId(req)) });
  });

  router.get('/invoice/:id/payment', (req, res) => {
    const invoice = findInvoice(ctx, routeId(req));
    if (invoice.status !== 'paid') throw ApiError.invalid('invalidInvoiceStatus', `Invoice ${invoice.id} is not paid`);
    const payer = { name: invoice.name, taxId: invoice.taxId, bankCode: '20018183', branchCode: '0001' };
    const payment = {
      ...payer,
      amount: invoice.amount,
      accountNumber: '0000000',
      accountType: 'payment',
      method: 'pix',
    };
    res.json({
      payment: { ...payment, endToEndId: `E20018183${invoice.updated.replace(/\D/g, '').slice(0, 12)}emulator` },
    });
  });

  router.patch('/invoice/:id', (req, res) => {
    const id = routeId(req);
    findInvoice(ctx, id); // an unknown id is a 404 whatever the body says
    res.json({ invoice: updateInvoice(ctx, id, parsePatchBody(jsonBody(req), invoicePatchSchema)) });
  });

  return router;
}
