/**
 * Schemas for what reaches a workflow (Update and Signal arguments) and what workflows write (memos), without zod:
 * a workflow's sandbox evaluates its imports again for every cached run, and zod's share of that is most of a
 * payout's memory (BENCHMARKS.md). Pure and deterministic: workflows and clients use the same schemas.
 */

/** What is wrong, and where: `path` is dotted (`entries.0.operator`), empty for the value as a whole. */
export interface Issue {
  path: string;
  message: string;
}

export interface Schema<T> {
  /** Returns the value as parsed (trimmed where the schema says), or records issues; its result is then unusable. */
  read(value: unknown, path: string, issues: Issue[]): T;
  readonly optional?: true;
}

export type Parsed<S> = S extends Schema<infer T> ? T : never;

export type ParseResult<T> = { success: true; data: T } | { success: false; issues: Issue[] };

export function safeParse<T>(schema: Schema<T>, value: unknown): ParseResult<T> {
  const issues: Issue[] = [];
  const data = schema.read(value, '', issues);
  return issues.length === 0 ? { success: true, data } : { success: false, issues };
}

/**
 * Parses an Update's or Signal's argument (`what` names it in the error). Any client can send one (the Web UI sends
 * whatever JSON a person types), so each handler trusts nothing that did not go through its schema.
 */
export function parse<T>(schema: Schema<T>, value: unknown, what: string): T {
  const parsed = safeParse(schema, value);
  if (parsed.success) return parsed.data;
  throw new Error(`${what}: ${describeIssues(parsed.issues)}`);
}

/** Issues as one line an operator can act on: what is missing or wrong, and where. */
export function describeIssues(issues: Issue[]): string {
  return issues.map(({ path, message }) => (path ? `"${path}" ${message}` : message)).join('; ');
}

function refuse<T>(issues: Issue[], path: string, message: string): T {
  issues.push({ path, message });
  return undefined as T;
}

interface TextRules {
  trim?: boolean;
  min?: number;
  max?: number;
  /** Messages that name what the field is for, where the defaults would not. */
  missing?: string;
  notText?: string;
  tooShort?: string;
}

export function text(rules: TextRules = {}): Schema<string> {
  return {
    read(value, path, issues) {
      if (typeof value !== 'string')
        return refuse(
          issues,
          path,
          value === undefined ? (rules.missing ?? 'is missing') : (rules.notText ?? 'must be text'),
        );
      const s = rules.trim ? value.trim() : value;
      if (rules.min !== undefined && s.length < rules.min)
        return refuse(
          issues,
          path,
          rules.tooShort ?? (rules.min === 1 ? 'must not be blank' : `is shorter than ${rules.min} characters`),
        );
      if (rules.max !== undefined && s.length > rules.max)
        return refuse(issues, path, `is longer than ${rules.max} characters`);
      return s;
    },
  };
}

export function integer(): Schema<number> {
  return {
    read: (value, path, issues) =>
      Number.isSafeInteger(value)
        ? (value as number)
        : refuse(issues, path, value === undefined ? 'is missing' : 'must be a whole number'),
  };
}

export function boolean(messages: { missing?: string; notBoolean?: string } = {}): Schema<boolean> {
  return {
    read: (value, path, issues) =>
      typeof value === 'boolean'
        ? value
        : refuse(
            issues,
            path,
            value === undefined ? (messages.missing ?? 'is missing') : (messages.notBoolean ?? 'must be true or false'),
          ),
  };
}

export function oneOf<const V extends readonly string[]>(values: V, message?: string): Schema<V[number]> {
  return {
    read: (value, path, issues) =>
      values.includes(value as string)
        ? (value as V[number])
        : refuse(issues, path, message ?? `must be one of ${values.join(', ')}`),
  };
}

export function list<T>(item: Schema<T>): Schema<T[]> {
  return {
    read(value, path, issues) {
      if (!Array.isArray(value)) return refuse(issues, path, value === undefined ? 'is missing' : 'must be a list');
      return value.map((v: unknown, i) => item.read(v, join(path, String(i)), issues));
    },
  };
}

export function optional<T>(schema: Schema<T>): Schema<T | undefined> & { optional: true } {
  return {
    optional: true,
    read: (value, path, issues) => (value === undefined ? undefined : schema.read(value, path, issues)),
  };
}

export type Fields = Record<string, Schema<unknown>>;

/** An object of `F`'s fields, optional ones (`optional(...)`) as optional properties. */
export type ObjectOf<F extends Fields> = Flat<
  { [K in keyof F as F[K] extends { optional: true } ? never : K]: Parsed<F[K]> } & {
    [K in keyof F as F[K] extends { optional: true } ? K : never]?: Parsed<F[K]>;
  }
>;
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * An object with these fields. `strict` refuses unknown fields (an operator's typo must not drop what they meant);
 * otherwise they are dropped, as a memo written by a newer build may carry more.
 */
export function object<F extends Fields>(fields: F, { strict = false } = {}): Schema<ObjectOf<F>> & { fields: F } {
  return {
    fields,
    read(value, path, issues) {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return refuse(issues, path, value === undefined ? 'is missing' : 'must be an object');
      const given = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(fields)) {
        const v = schema.read(given[key], join(path, key), issues);
        if (v !== undefined) out[key] = v;
      }
      const unknown = strict ? Object.keys(given).filter((k) => !Object.hasOwn(fields, k)) : [];
      if (unknown.length > 0) {
        const names = unknown.map((k) => `"${k}"`).join(', ');
        issues.push({ path, message: `unknown field${unknown.length > 1 ? 's' : ''} ${names}` });
      }
      return out as ObjectOf<F>;
    },
  };
}

export function strictObject<F extends Fields>(fields: F): Schema<ObjectOf<F>> & { fields: F } {
  return object(fields, { strict: true });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
