import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import type { EventDispatcher } from '../events/dispatch';
import { MalformedEventError, parseWebhookBody, type ParsedEvent } from '../events/schema';
import type { Logger } from '../observability/logger';
import { webhookEvents, webhookLatency, webhookRequests, webhookSignatureFailures } from '../observability/metrics';
import { tracer } from '../observability/tracing';
import { VerificationUnavailableError, type SignatureVerifier } from './signature';
import { errorMessage } from '../shared/errors';

export const WEBHOOK_PATH = '/webhook/starkbank';

export interface WebhookAppDeps {
  verifier: SignatureVerifier;
  dispatcher: EventDispatcher;
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * The Stark Bank webhook, the only thing on the public port besides /healthz (metrics and readiness are on the
 * admin port). Status codes tell Stark Bank what to do next:
 * 200 = done (including valid events we ignore), 4xx = never send this again (forged or malformed),
 * 5xx = we could not take it now (Temporal or key fetch down), deliver it again later.
 */
export function createWebhookApp({ verifier, dispatcher, logger, maxBodyBytes }: WebhookAppDeps) {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Raw bytes on this route only: the signature covers the exact body, a re-serialised one never verifies.
  app.post(
    WEBHOOK_PATH,
    express.raw({ type: () => true, limit: maxBodyBytes }),
    // The root span of a payout's trace: the signalWithStart below carries it into the workflow.
    (req: Request, res: Response) =>
      tracer().startActiveSpan(`POST ${WEBHOOK_PATH}`, { kind: SpanKind.SERVER }, async (span) => {
        try {
          await handleDelivery(req, res);
        } finally {
          span.setAttribute('http.response.status_code', res.statusCode);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        }
      }),
  );

  async function handleDelivery(req: Request, res: Response): Promise<void> {
    const stopTimer = webhookLatency.startTimer();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.get('Digital-Signature');
    try {
      if (!signature || !(await verifier.verify(body, signature))) {
        webhookSignatureFailures.inc();
        logger.warn({ bytes: body.length, signed: Boolean(signature) }, 'webhook signature rejected');
        return reject(res, 401, signature ? 'invalid signature' : 'missing Digital-Signature header', 'bad-signature');
      }
      const event = parseWebhookBody(body);
      const labels = eventLabels(event);
      const ids = eventIds(event);
      webhookEvents.inc(labels);
      trace.getActiveSpan()?.setAttributes({
        'stark.event_id': event.id,
        'stark.subscription': labels.subscription,
        'stark.log_type': labels.type,
        ...ids,
      });
      const outcome = await dispatcher.dispatch(event);
      webhookRequests.inc({ outcome });
      trace.getActiveSpan()?.setAttribute('outcome', outcome);
      logger.info({ eventId: event.id, ...ids, outcome }, 'webhook event handled');
      res.status(200).json({ eventId: event.id, outcome });
    } catch (err) {
      if (err instanceof MalformedEventError) return reject(res, 400, err.message, 'malformed');
      const reason =
        err instanceof VerificationUnavailableError ? 'signature verification unavailable' : 'temporal unavailable';
      webhookRequests.inc({ outcome: 'unavailable' });
      logger.error({ err: errorMessage(err) }, `webhook: ${reason}`);
      res.status(503).set('Retry-After', '30').json({ error: reason });
    } finally {
      stopTimer();
    }
  }

  const onError: ErrorRequestHandler = (err: { status?: number; type?: string; message?: string }, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') return reject(res, 413, `body larger than ${maxBodyBytes} bytes`, 'too-large');
    if (err.status && err.status >= 400 && err.status < 500)
      return reject(res, err.status, 'bad request', 'bad-request');
    logger.error({ err: err.message }, 'webhook: unexpected error');
    webhookRequests.inc({ outcome: 'internal-error' });
    res.status(500).json({ error: 'internal error' });
  };
  app.use(onError);
  return app;
}

function reject(res: Response, status: number, error: string, outcome: string): void {
  webhookRequests.inc({ outcome });
  res.status(status).json({ error });
}

function eventLabels(event: ParsedEvent): { subscription: string; type: string } {
  if (event.kind === 'other') return { subscription: event.subscription, type: 'other' };
  return { subscription: event.kind, type: event.log.type };
}

/** Ids that correlate this request with its payout and transfer in logs (never names or tax ids). */
function eventIds(event: ParsedEvent): Record<string, string> {
  if (event.kind === 'invoice')
    return { invoiceId: event.log.invoice.id, workflowId: `payout-${event.log.invoice.id}` };
  if (event.kind === 'transfer') return { transferId: event.log.transfer.id };
  return {};
}
