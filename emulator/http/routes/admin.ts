import { Router } from 'express';
import { z } from 'zod';
import type { Emulator } from '../../contract';
import { routeId } from '../body';

const projectSchema = z.object({ id: z.string().regex(/^[^/]+$/), publicKey: z.string().includes('PUBLIC KEY') });
const paymentSchema = z.object({
  amount: z.number().int().positive().optional(),
  fee: z.number().int().nonnegative().optional(),
});
const settleSchema = z.object({ status: z.enum(['success', 'failed']), reason: z.string().optional() });
const injectSchema = z.object({ subscription: z.string().min(1), log: z.record(z.string(), z.unknown()) });

/**
 * Test and operator controls, without Stark authentication (the server only listens on 127.0.0.1).
 * Bodies are JSON; answers are the affected object or `{"ok": true}`.
 */
export function adminRoutes(emulator: Emulator): Router {
  const router = Router();
  const ok = { ok: true };

  router.get('/state', (_req, res) => {
    res.json(emulator.snapshot());
  });
  router.get('/settings', (_req, res) => {
    res.json({ behaviour: emulator.getBehaviour(), faults: emulator.getFaults() });
  });
  router.post('/projects', (req, res) => {
    const { id, publicKey } = projectSchema.parse(req.body);
    emulator.registerProject(id, publicKey);
    res.json(ok);
  });
  router.post('/faults', (req, res) => {
    emulator.setFaults(req.body as object);
    res.json(emulator.getFaults());
  });
  router.post('/behaviour', (req, res) => {
    emulator.setBehaviour(req.body as object);
    res.json(emulator.getBehaviour());
  });
  router.post('/deliveries/pause', (_req, res) => {
    emulator.pauseDeliveries();
    res.json(ok);
  });
  router.post('/deliveries/resume', (_req, res) => {
    emulator.resumeDeliveries();
    res.json(ok);
  });
  router.post('/invoices/:id/pay', (req, res) => {
    res.json({ invoice: emulator.payInvoice(routeId(req), paymentSchema.parse(req.body ?? {})) });
  });
  router.post('/events', (req, res) => {
    res.json({ event: emulator.injectEvent(injectSchema.parse(req.body)) });
  });
  router.post('/transfers/:id/settle', (req, res) => {
    const { status, reason } = settleSchema.parse(req.body);
    res.json({ transfer: emulator.settleTransfer(routeId(req), status, reason) });
  });
  router.post('/reset', (_req, res) => {
    emulator.reset();
    res.json(ok);
  });
  return router;
}
