import { z } from 'zod';
import { cents, duration } from './fields';
import { defineSection } from './section';

const schema = z
  .object({
    ISSUANCE_SCHEDULE_ID: z.string().min(1).default('issue-invoices'),
    ISSUANCE_INTERVAL: duration.default('3h'),
    ISSUANCE_OVERLAP: z
      .enum(['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'])
      .default('SKIP'),
    ISSUANCE_CATCHUP_WINDOW: duration.default('1h'),
    ISSUANCE_MAX_RUNS: z.coerce.number().int().positive().optional(),
    ISSUANCE_END_AT: z.iso.datetime({ offset: true }).optional(),
    ISSUANCE_COUNT_MIN: z.coerce.number().int().min(1).max(1000).default(8),
    ISSUANCE_COUNT_MAX: z.coerce.number().int().min(1).max(1000).default(12),
    ISSUANCE_AMOUNT_MIN_CENTS: cents(1_000),
    ISSUANCE_AMOUNT_MAX_CENTS: cents(50_000),
    ISSUANCE_DUE_DAYS: z.coerce.number().int().min(1).max(365).default(2),
  })
  .refine((e) => e.ISSUANCE_COUNT_MIN <= e.ISSUANCE_COUNT_MAX, {
    path: ['ISSUANCE_COUNT_MIN'],
    message: 'must not exceed ISSUANCE_COUNT_MAX',
  })
  .refine((e) => e.ISSUANCE_AMOUNT_MIN_CENTS <= e.ISSUANCE_AMOUNT_MAX_CENTS, {
    path: ['ISSUANCE_AMOUNT_MIN_CENTS'],
    message: 'must not exceed ISSUANCE_AMOUNT_MAX_CENTS',
  });

type Vars = z.output<typeof schema>;

export interface IssuanceConfig {
  scheduleId: string;
  interval: Vars['ISSUANCE_INTERVAL'];
  overlap: Vars['ISSUANCE_OVERLAP'];
  catchupWindow: Vars['ISSUANCE_CATCHUP_WINDOW'];
  /** Stop after this many runs (the Stark Bank trial: 8 runs = 24 h). */
  maxRuns?: number;
  endAt?: string;
  count: { min: number; max: number };
  amountCents: { min: number; max: number };
  dueInDays: number;
}

export const issuanceSection = defineSection(schema, (e): { issuance: IssuanceConfig } => ({
  issuance: {
    scheduleId: e.ISSUANCE_SCHEDULE_ID,
    interval: e.ISSUANCE_INTERVAL,
    overlap: e.ISSUANCE_OVERLAP,
    catchupWindow: e.ISSUANCE_CATCHUP_WINDOW,
    maxRuns: e.ISSUANCE_MAX_RUNS,
    endAt: e.ISSUANCE_END_AT,
    count: { min: e.ISSUANCE_COUNT_MIN, max: e.ISSUANCE_COUNT_MAX },
    amountCents: { min: e.ISSUANCE_AMOUNT_MIN_CENTS, max: e.ISSUANCE_AMOUNT_MAX_CENTS },
    dueInDays: e.ISSUANCE_DUE_DAYS,
  },
}));
