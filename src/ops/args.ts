import { InvalidArgumentError } from 'commander';
import { operatorName } from '../domain/arguments';
import { safeParse } from '../domain/schema';

// Argument parsers: a bad value is a usage error (exit 2) reported by commander, before anything connects.

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function invoiceId(value: string): string {
  // Stark Bank ids are digits; checking keeps a typo from silently addressing nothing.
  if (!/^\d{1,32}$/.test(value)) throw new InvalidArgumentError('expected a Stark Bank invoice id (digits)');
  return value;
}

/** A duration such as 30m, 12h or 7d, in milliseconds. */
export function durationMs(value: string): number {
  if (!/^\d+(m|h|d)$/.test(value)) throw new InvalidArgumentError('expected a duration such as 30m, 12h or 7d');
  const n = Number(value.slice(0, -1));
  return n * { m: 60_000, h: 3_600_000, d: 86_400_000 }[value.slice(-1) as 'm' | 'h' | 'd'];
}

/** Who decides: a name, trimmed; blank is refused, as every decision must name someone accountable. */
export function operator(value: string): string {
  const parsed = safeParse(operatorName, value);
  if (!parsed.success) throw new InvalidArgumentError(`the operator ${parsed.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

/** One of `choices`, in any case (`awaitingapproval` is `AwaitingApproval`). */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    const found = choices.find((c) => c.toLowerCase() === value.trim().toLowerCase());
    if (!found) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
    return found;
  };
}
