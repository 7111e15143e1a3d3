import { z } from 'zod';

// Schemas carry no defaults on purpose: the same shapes validate full settings and partial updates
// (`setBehaviour`, `POST /admin/faults`), and zod v4 would apply defaults inside partial objects too.

const share = z.number().min(0).max(1);
const millis = z.number().int().nonnegative();

/** How the emulated bank behaves. Every delay is "bank time": it is multiplied by `timeScale`. */
export const behaviourShape = z.object({
  /** Multiplier for every lifecycle delay and the webhook retry schedule (0.001 turns 5 min into 0.3 s). */
  timeScale: z.number().positive(),
  /** Share of new invoices that get paid on their own. */
  payShare: share,
  payDelayMinMs: millis,
  payDelayMaxMs: millis,
  /** Gap between the `paid` and the `credited` log. */
  creditDelayMs: millis,
  /** Fee in cents charged on each credited invoice (shows up as `invoice.fee` on the `credited` log). */
  invoiceFee: z.number().int().nonnegative(),
  /** Fee in cents charged on each successful transfer. */
  transferFee: z.number().int().nonnegative(),
  /** Share of otherwise valid transfers that fail anyway. */
  transferFailShare: share,
  /** Delay from `created` to `sending` (status `processing`). */
  transferSendDelayMs: millis,
  /** Delay from `sending` to `success` or `failed`. */
  transferSettleDelayMs: millis,
});
export type BehaviourSettings = z.infer<typeof behaviourShape>;

export const defaultBehaviour: BehaviourSettings = {
  timeScale: 1,
  payShare: 0.8,
  payDelayMinMs: 60_000,
  payDelayMaxMs: 600_000,
  creditDelayMs: 1_000,
  invoiceFee: 0,
  transferFee: 0,
  transferFailShare: 0,
  transferSendDelayMs: 2_000,
  transferSettleDelayMs: 10_000,
};

/** API faults hit /v2 requests that passed authentication; delivery faults hit webhook POSTs. */
export const faultRuleShape = z.object({
  kind: z.enum(['error', 'slow', 'dropAfterCommit', 'duplicateDelivery']),
  /** HTTP method to match (API kinds only); any when absent. */
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .optional(),
  /** Exact path such as `/v2/transfer`, or a prefix ending in `*`; any when absent. */
  path: z.string().optional(),
  /** For `duplicateDelivery`: the event's subscription and log type to match. */
  subscription: z.string().optional(),
  logType: z.string().optional(),
  /** How many matching requests (or deliveries) the rule hits before it is used up. */
  count: z.number().int().positive().default(1),
});
export type FaultRule = z.infer<typeof faultRuleShape>;
export type FaultRuleInput = z.input<typeof faultRuleShape>;

export const faultShape = z.object({
  /** Share of API requests answered 500 `internalError` before anything is done. */
  errorRate: share,
  /** Share of API requests held for `slowDelayMs` (real milliseconds) before they are handled. */
  slowRate: share,
  slowDelayMs: millis,
  /** Share of API requests handled (and committed) whose response is then dropped (socket destroyed). */
  dropAfterCommitRate: share,
  /** Share of successful webhook deliveries sent a second time. */
  duplicateDeliveryRate: share,
  /** Deliver events with a random extra delay up to `outOfOrderMaxDelayMs` (real ms), shuffling held ones. */
  outOfOrderDelivery: z.boolean(),
  outOfOrderMaxDelayMs: millis,
  /** Hold every webhook delivery until resumed (the same switch as pauseDeliveries/resumeDeliveries). */
  deliveriesPaused: z.boolean(),
  /** One-shot faults, checked before the rates. Replaced as a whole when set. */
  rules: z.array(faultRuleShape),
});
export type FaultSettings = z.infer<typeof faultShape>;
export type FaultSettingsInput = Omit<Partial<FaultSettings>, 'rules'> & { rules?: FaultRuleInput[] };

export const defaultFaults: FaultSettings = {
  errorRate: 0,
  slowRate: 0,
  slowDelayMs: 3_000,
  dropAfterCommitRate: 0,
  duplicateDeliveryRate: 0,
  outOfOrderDelivery: false,
  outOfOrderMaxDelayMs: 2_000,
  deliveriesPaused: false,
  rules: [],
};

export const behaviourPatchSchema = behaviourShape.partial().strict();
export const faultPatchSchema = faultShape.partial().strict();

/** Applies a partial update and checks the settings that only make sense together. */
export function mergeBehaviour(current: BehaviourSettings, patch: unknown): BehaviourSettings {
  const next = { ...current, ...behaviourPatchSchema.parse(patch) };
  if (next.payDelayMinMs > next.payDelayMaxMs) {
    throw new Error(`payDelayMinMs (${next.payDelayMinMs}) must not exceed payDelayMaxMs (${next.payDelayMaxMs})`);
  }
  return next;
}

export function mergeFaults(current: FaultSettings, patch: unknown): FaultSettings {
  return { ...current, ...faultPatchSchema.parse(patch) };
}
