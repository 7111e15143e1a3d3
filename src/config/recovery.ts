import { z } from 'zod';
import { duration } from './fields';
import { defineSection } from './section';

const schema = z.object({
  SWEEP_INTERVAL: duration.default('15m'),
  RECONCILE_INTERVAL: duration.default('1h'),
  RECONCILE_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(90).default(3),
});

export const recoverySection = defineSection(schema, (e) => ({
  recovery: {
    sweepInterval: e.SWEEP_INTERVAL,
    reconcileInterval: e.RECONCILE_INTERVAL,
    lookbackDays: e.RECONCILE_LOOKBACK_DAYS,
  },
}));
