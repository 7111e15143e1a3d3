import { Router } from 'express';
import { z } from 'zod';
import type { EmulatorContext } from '../../domain/context';
import { ApiError } from '../../domain/errors';
import type { Webhook } from '../../domain/types';
import { jsonBody, routeId } from '../body';
import { byCreated, listBody, queryOf } from '../paging';

const SUBSCRIPTIONS = [
  'boleto',
  'boleto-holmes',
  'boleto-payment',
  'brcode-payment',
  'darf-payment',
  'deposit',
  'invoice',
  'invoice-pull-request',
  'invoice-pull-subscription',
  'payment-request',
  'tax-payment',
  'transfer',
  'utility-payment',
] as const;

// Plain http:// is accepted (the real API wants public HTTPS) so local consumers can be exercised.
const webhookSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  subscriptions: z.array(z.enum(SUBSCRIPTIONS)).min(1),
});

export function webhookRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  // Webhooks have no `created` field; their position in the state gives the order.
  const order = (webhook: Webhook): string =>
    byCreated({ created: String(ctx.state.webhooks.indexOf(webhook)).padStart(9, '0'), id: webhook.id });
  const findWebhook = (id: string): Webhook => {
    const webhook = ctx.state.webhooks.find((w) => w.id === id);
    if (!webhook) throw ApiError.notFound('Webhook', id);
    return webhook;
  };

  router.post('/webhook', (req, res) => {
    const body = jsonBody(req) as { webhooks?: unknown[] } | null;
    // The SDKs send the object itself; the Postman collection wraps it in {"webhooks": [...]}.
    const parsed = webhookSchema.safeParse(Array.isArray(body?.webhooks) ? body.webhooks[0] : body);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => {
        const field = String(issue.path[0] ?? 'body');
        return { code: field === 'url' ? 'invalidUrl' : 'invalidSubscriptions', message: `${field}: ${issue.message}` };
      });
      throw new ApiError(400, errors);
    }
    const webhook: Webhook = { id: ctx.newId(), url: parsed.data.url, subscriptions: parsed.data.subscriptions };
    ctx.state.webhooks.push(webhook);
    ctx.saver.changed();
    res.json({ webhook });
  });

  router.get('/webhook', (req, res) => {
    const params = queryOf(req);
    res.json(listBody(params, 'webhooks', ctx.state.webhooks, order));
  });

  router.get('/webhook/:id', (req, res) => {
    res.json({ webhook: findWebhook(routeId(req)) });
  });

  router.delete('/webhook/:id', (req, res) => {
    const webhook = findWebhook(routeId(req));
    ctx.state.webhooks.splice(ctx.state.webhooks.indexOf(webhook), 1);
    ctx.saver.changed();
    res.json({ webhook });
  });

  return router;
}
