import { Router } from 'express';
import type { EmulatorContext } from '../../domain/context';

/** The key webhooks are signed with (read by `starkbank.event.parse`) and the workspace balance. */
export function accountRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const { publicKeyPem, created } = ctx.state.eventKey;

  router.get('/public-key', (_req, res) => {
    res.json({ cursor: null, publicKeys: [{ content: publicKeyPem, created }] });
  });

  router.get('/balance', (_req, res) => {
    res.json({ cursor: null, balances: [ctx.state.balance] });
  });

  return router;
}
