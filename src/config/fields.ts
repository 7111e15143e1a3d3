import fs from 'node:fs';
import { z } from 'zod';
import type { Duration } from '@temporalio/common';

/** The one error every bad setting ends in: its message names each bad variable on a line of its own. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  static of(problems: string[]): ConfigError {
    return new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export const cents = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** Cents where unset or empty means off (as `VAR=` in a .env file); 0 is refused, as it would hold every payout. */
export const optionalCents = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (/^\d+$/.test(v) && Number.isSafeInteger(n) && n > 0) return n;
    ctx.addIssue({
      code: 'custom',
      message: `expected whole cents above 0 (e.g. 5000000), or empty for off; got "${v}"`,
    });
    return z.NEVER;
  });
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const httpUrl = () => z.url({ protocol: /^https?$/ });

/** A string where empty means unset, as `VAR=` in a .env file. */
export const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** Temporal-style durations such as 90s, 15m, 3h, 1d. */
export const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30s, 15m, 3h or 1d')
  .transform((v) => v as Duration);

/** A file a setting names, or a problem saying which setting could not be read; the content is never echoed. */
export function readSettingFile(variable: string, file: string, problems: string[]): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    problems.push(`${variable}: cannot read ${file}`);
    return undefined;
  }
}
