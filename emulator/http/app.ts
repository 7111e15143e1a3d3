import express, { type ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Emulator } from '../contract';
import type { EmulatorContext } from '../domain/context';
import { ApiError } from '../domain/errors';
import { authenticate } from './auth';
import { injectFaults } from './faults';
import { accountRoutes } from './routes/account';
import { adminRoutes } from './routes/admin';
import { eventRoutes } from './routes/events';
import { invoiceRoutes } from './routes/invoices';
import { transferRoutes } from './routes/transfers';
import { webhookRoutes } from './routes/webhooks';

/** Every error leaves in Stark Bank's envelope, so the SDK can always read it. */
function errorHandler(ctx: EmulatorContext): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof ApiError) {
      res.status(error.status).json({ errors: error.errors });
    } else if (error instanceof ZodError) {
      const errors = error.issues.map((i) => ({
        code: 'invalidParameter',
        message: `${i.path.join('.')}: ${i.message}`,
      }));
      res.status(400).json({ errors });
    } else if (
      error instanceof Error &&
      'type' in error &&
      typeof error.type === 'string' &&
      error.type.startsWith('entity.')
    ) {
      res.status(400).json({ errors: [{ code: 'invalidJson', message: error.message }] }); // body-parser
    } else {
      ctx.logger.error({ err: error }, 'unexpected emulator error');
      res.status(500).json({ errors: [{ code: 'internalError', message: 'Unexpected emulator error' }] });
    }
  };
}

export function createApp(ctx: EmulatorContext, emulator: Emulator): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use('/admin', express.json({ limit: '1mb' }), adminRoutes(emulator));

  // Raw bytes first: the signature covers them exactly. JSON is parsed by the routes after authentication.
  const api = express.Router();
  api.use(express.raw({ type: () => true, limit: '10mb' }), authenticate(ctx), injectFaults(ctx));
  api.use(accountRoutes(ctx), invoiceRoutes(ctx), transferRoutes(ctx), eventRoutes(ctx), webhookRoutes(ctx));
  app.use('/v2', api);

  app.use((req, res) => {
    res.status(404).json({ errors: [{ code: 'notFound', message: `No route for ${req.method} ${req.path}` }] });
  });
  app.use(errorHandler(ctx));
  return app;
}
