import type { Logger } from 'pino';
import type { BehaviourSettings, FaultSettings } from '../settings';
import type { Clock } from './clock';
import type { StateSaver } from './persistence';
import type { Random } from './random';
import type { Scheduler } from './scheduler';
import type { EmulatorState } from './state';
import type { StarkEvent } from './types';

/** Everything the routes and lifecycles share. Settings are replaced (never mutated) when changed. */
export interface EmulatorContext {
  state: EmulatorState;
  behaviour: BehaviourSettings;
  faults: FaultSettings;
  limits: { initialBalance: number; accessTimeSkewSeconds: number; deliveryTimeoutMs: number };
  clock: Clock;
  /** Separate streams, so that e.g. a fault decision never shifts which invoices get paid. */
  random: { ids: Random; lifecycle: Random; faults: Random; delivery: Random };
  scheduler: Scheduler;
  saver: StateSaver;
  logger: Logger;
  deliveries: { enqueue(event: StarkEvent): void };
  newId(): string;
}

/** 16-digit numeric ids like Stark Bank's, unique across every resource. */
export function createIdFactory(random: Random, state: () => EmulatorState): () => string {
  const used = new Set<string>();
  let seeded = false;
  return () => {
    if (!seeded) {
      seeded = true;
      const s = state();
      const all = [s.invoices, s.invoiceLogs, s.transfers, s.transferLogs, s.events, s.attempts, s.webhooks, s.jobs];
      for (const list of all) for (const item of list) used.add(item.id);
    }
    let id: string;
    do id = String(random.int(1, 9)) + random.digits(15);
    while (used.has(id));
    used.add(id);
    return id;
  };
}

/** Bank-time delay (as configured) to real milliseconds. */
export function scaled(ctx: EmulatorContext, bankMs: number): number {
  return Math.round(bankMs * ctx.behaviour.timeScale);
}

export function adjustBalance(ctx: EmulatorContext, delta: number): void {
  ctx.state.balance.amount += delta;
  ctx.state.balance.updated = ctx.clock.timestamp();
}
