import { Router } from 'express';
import { z } from 'zod';
import type { Sandbox } from '../../contract';
import { routeId } from '../body';

const projectSchema = z.object({ id: z.string().regex(/^[^/]+$/), publicKey: z.string().includes('PUBLIC KEY') });
const paymentSchema = z.object({
  amount: z.number().int().positive().optional(),
  fee: z.number().int().nonnegative().optional(),
});
const settleSchema = z.object({ status: z.enum(['success', 'failed']), reason: z.string().optional() });

/**
 * Test and operator controls, without Stark authentication (the server only listens on 127.0.0.1).
 * Bodies are JSON; answers are the affected object or `{"ok": true}`.
 */
export function adminRoutes(sandbox: Sandbox): Router {
  const router = Router();
  const ok = { ok: true };

  router.get('/state', (_req, res) => {
    res.json(sandbox.snapshot());
  });
  router.get('/settings', (_req, res) => {
    res.json({ behaviour: sandbox.getBehaviour(), faults: sandbox.getFaults() });
  });
  router.post('/projects', (req, res) => {
    const { id, publicKey } = projectSchema.parse(req.body);
    sandbox.registerProject(id, publicKey);
    res.json(ok);
  });
  router.post('/faults', (req, res) => {
    sandbox.setFaults(req.body as object);
    res.json(sandbox.getFaults());
  });
  router.post('/behaviour', (req, res) => {
    sandbox.setBehaviour(req.body as object);
    res.json(sandbox.getBehaviour());
  });
  router.post('/deliveries/pause', (_req, res) => {
    sandbox.pauseDeliveries();
    res.json(ok);
  });
  router.post('/deliveries/resume', (_req, res) => {
    sandbox.resumeDeliveries();
    res.json(ok);
  });
  router.post('/invoices/:id/pay', (req, res) => {
    res.json({ invoice: sandbox.payInvoice(routeId(req), paymentSchema.parse(req.body ?? {})) });
  });
  router.post('/transfers/:id/settle', (req, res) => {
    const { status, reason } = settleSchema.parse(req.body);
    res.json({ transfer: sandbox.settleTransfer(routeId(req), status, reason) });
  });
  router.post('/reset', (_req, res) => {
    sandbox.reset();
    res.json(ok);
  });
  return router;
}
