import type { FaultRule } from '../settings';
import type { EmulatorContext } from './context';

/** Finds the first one-shot fault rule that matches and uses one of its counts up. */
export function takeFaultRule(ctx: EmulatorContext, matches: (rule: FaultRule) => boolean): FaultRule | undefined {
  const rule = ctx.faults.rules.find(matches);
  if (!rule) return undefined;
  const rules = ctx.faults.rules.flatMap((r) => {
    if (r !== rule) return [r];
    return r.count > 1 ? [{ ...r, count: r.count - 1 }] : [];
  });
  ctx.faults = { ...ctx.faults, rules };
  return rule;
}
