import type { Request } from 'express';
import { dateOnly } from '../domain/clock';
import { ApiError } from '../domain/errors';

export function queryOf(req: Request): URLSearchParams {
  return new URL(req.originalUrl, 'http://emulator.invalid').searchParams;
}

/** A comma-separated filter (`tags=a,b`); undefined when absent so "no filter" differs from "match none". */
export function csv(params: URLSearchParams, name: string): string[] | undefined {
  const value = params.get(name);
  return value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : undefined;
}

function dateParam(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  if (!value) return undefined;
  const date = dateOnly(value);
  if (!date) throw ApiError.invalid(`invalid${name[0]?.toUpperCase()}${name.slice(1)}`, `"${value}" is not a date`);
  return date;
}

/** `after`/`before` (YYYY-MM-DD, both inclusive, UTC) against a Stark timestamp. */
export function createdWithin(params: URLSearchParams): (created: string) => boolean {
  const after = dateParam(params, 'after');
  const before = dateParam(params, 'before');
  return (created) => {
    const day = created.slice(0, 10);
    return (!after || day >= after) && (!before || day <= before);
  };
}

function readLimit(params: URLSearchParams): number {
  const value = params.get('limit');
  if (value === null) return 100;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw ApiError.invalid('invalidLimit', `limit must be an integer from 1 to 100, got "${value}"`);
  }
  return limit;
}

/**
 * One page of `items` in the order of `sortKey` (unique per item). The cursor is the last key served, so items
 * created while a client walks the pages neither repeat nor shift the rest. `cursor` is null on the last page.
 */
export function page<T>(
  params: URLSearchParams,
  items: readonly T[],
  sortKey: (item: T) => string,
  order: 'asc' | 'desc' = 'desc',
): { items: T[]; cursor: string | null } {
  const limit = readLimit(params);
  const direction = order === 'asc' ? 1 : -1;
  const keyed = items.map((item) => ({ item, key: sortKey(item) }));
  keyed.sort((a, b) => (a.key < b.key ? -direction : a.key > b.key ? direction : 0));
  let rest = keyed;
  const cursor = params.get('cursor');
  if (cursor) {
    const last = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!last) throw ApiError.invalid('invalidCursor', `Unknown cursor "${cursor}"`);
    rest = keyed.filter(({ key }) => (order === 'asc' ? key > last : key < last));
  }
  const served = rest.slice(0, limit);
  const lastKey = served.at(-1)?.key;
  const more = rest.length > limit && lastKey !== undefined;
  return { items: served.map(({ item }) => item), cursor: more ? Buffer.from(lastKey).toString('base64url') : null };
}

/** Newest first by `created`, ties broken by id: the default list order. */
export const byCreated = (item: { created: string; id: string }): string => `${item.created}|${item.id}`;

/** The list envelope: `{"cursor": ..., "<plural>": [...]}`. */
export function listBody<T>(
  params: URLSearchParams,
  plural: string,
  items: readonly T[],
  sortKey: (item: T) => string,
  order: 'asc' | 'desc' = 'desc',
): Record<string, unknown> {
  const result = page(params, items, sortKey, order);
  return { cursor: result.cursor, [plural]: result.items };
}
