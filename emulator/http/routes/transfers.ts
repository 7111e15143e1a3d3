import { Router } from 'express';
import type { EmulatorContext } from '../../domain/context';
import { ApiError } from '../../domain/errors';
import { parseCreateBody, transferInputSchema } from '../../domain/inputs';
import { cancelTransfer, createTransfer, findTransfer } from '../../domain/transfers';
import type { Transfer } from '../../domain/types';
import { jsonBody, routeId } from '../body';
import { byCreated, createdWithin, csv, listBody, queryOf } from '../paging';

const SORTS: Record<string, { key: (t: Transfer) => string; order: 'asc' | 'desc' }> = {
  created: { key: byCreated, order: 'asc' },
  '-created': { key: byCreated, order: 'desc' },
  updated: { key: (t) => `${t.updated}|${t.id}`, order: 'asc' },
  '-updated': { key: (t) => `${t.updated}|${t.id}`, order: 'desc' },
};

export function transferRoutes(ctx: EmulatorContext): Router {
  const router = Router();

  router.post('/transfer', (req, res) => {
    const inputs = parseCreateBody(jsonBody(req), 'transfers', transferInputSchema);
    const transfers = inputs.map((input) => createTransfer(ctx, input));
    res.json({ message: 'Transfer(s) successfully created', transfers });
  });

  router.get('/transfer', (req, res) => {
    const params = queryOf(req);
    const sortName = params.get('sort') ?? '-created';
    const sort = SORTS[sortName];
    if (!sort) throw ApiError.invalid('invalidSort', `sort must be one of ${Object.keys(SORTS).join(', ')}`);
    const [tags, ids, status, transactionIds] = ['tags', 'ids', 'status', 'transactionIds'].map((n) => csv(params, n));
    const taxId = params.get('taxId');
    const inRange = createdWithin(params);
    const matches = ctx.state.transfers.filter(
      (t) =>
        inRange(t.created) &&
        (!tags || t.tags.some((tag) => tags.includes(tag))) &&
        (!ids || ids.includes(t.id)) &&
        (!status || status.includes(t.status)) &&
        (!transactionIds || t.transactionIds.some((id) => transactionIds.includes(id))) &&
        (!taxId || t.taxId.replace(/\D/g, '') === taxId.replace(/\D/g, '')),
    );
    res.json(listBody(params, 'transfers', matches, sort.key, sort.order));
  });

  router.get('/transfer/log', (req, res) => {
    const params = queryOf(req);
    const [types, transferIds] = [csv(params, 'types'), csv(params, 'transferIds')];
    const inRange = createdWithin(params);
    const matches = ctx.state.transferLogs.filter(
      (l) =>
        inRange(l.created) &&
        (!types || types.includes(l.type)) &&
        (!transferIds || transferIds.includes(l.transfer.id)),
    );
    res.json(listBody(params, 'logs', matches, byCreated));
  });

  router.get('/transfer/log/:id', (req, res) => {
    const id = routeId(req);
    const log = ctx.state.transferLogs.find((l) => l.id === id);
    if (!log) throw ApiError.notFound('Transfer log', id);
    res.json({ log });
  });

  router.get('/transfer/:id', (req, res) => {
    res.json({ transfer: findTransfer(ctx, routeId(req)) });
  });

  router.delete('/transfer/:id', (req, res) => {
    res.json({ transfer: cancelTransfer(ctx, routeId(req)) });
  });

  return router;
}
