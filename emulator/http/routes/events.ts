import { Router } from 'express';
import { z } from 'zod';
import type { EmulatorContext } from '../../domain/context';
import { ApiError } from '../../domain/errors';
import type { StarkEvent } from '../../domain/types';
import { jsonBody, routeId } from '../body';
import { byCreated, createdWithin, csv, listBody, queryOf } from '../paging';

const eventPatchSchema = z.object({ isDelivered: z.literal(true) });

export function eventRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const findEvent = (id: string): StarkEvent => {
    const event = ctx.state.events.find((e) => e.id === id);
    if (!event) throw ApiError.notFound('Event', id);
    return event;
  };

  router.get('/event', (req, res) => {
    const params = queryOf(req);
    const isDelivered = params.get('isDelivered');
    if (isDelivered !== null && isDelivered !== 'true' && isDelivered !== 'false') {
      throw ApiError.invalid('invalidIsDelivered', 'isDelivered must be "true" or "false"');
    }
    const inRange = createdWithin(params);
    const matches = ctx.state.events.filter(
      (e) => inRange(e.created) && (isDelivered === null || String(e.isDelivered) === isDelivered),
    );
    res.json(listBody(params, 'events', matches, byCreated));
  });

  router.get('/event/attempt', (req, res) => {
    const params = queryOf(req);
    const [eventIds, webhookIds] = [csv(params, 'eventIds'), csv(params, 'webhookIds')];
    const inRange = createdWithin(params);
    const matches = ctx.state.attempts.filter(
      (a) =>
        inRange(a.created) &&
        (!eventIds || eventIds.includes(a.eventId)) &&
        (!webhookIds || webhookIds.includes(a.webhookId)),
    );
    res.json(listBody(params, 'attempts', matches, byCreated));
  });

  router.get('/event/attempt/:id', (req, res) => {
    const id = routeId(req);
    const attempt = ctx.state.attempts.find((a) => a.id === id);
    if (!attempt) throw ApiError.notFound('Event attempt', id);
    res.json({ attempt });
  });

  router.get('/event/:id', (req, res) => {
    res.json({ event: findEvent(routeId(req)) });
  });

  router.patch('/event/:id', (req, res) => {
    const event = findEvent(routeId(req));
    const parsed = eventPatchSchema.safeParse(jsonBody(req));
    if (!parsed.success) throw ApiError.invalid('invalidIsDelivered', 'Only {"isDelivered": true} is accepted');
    event.isDelivered = true;
    ctx.saver.changed();
    res.json({ event });
  });

  router.delete('/event/:id', (req, res) => {
    const event = findEvent(routeId(req));
    ctx.state.events.splice(ctx.state.events.indexOf(event), 1);
    ctx.saver.changed();
    res.json({ event });
  });

  return router;
}
