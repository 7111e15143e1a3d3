// Stark Bank signs webhook bodies produced by Python's `json.dumps(obj, sort_keys=True)`: keys sorted at every
// level, ", " and ": " separators, non-ASCII escaped as \uXXXX (ensure_ascii), and floats keep a ".0".
// The consumer must verify the exact bytes, so mirroring this style catches consumers that re-serialise.

/** Keys whose values are floats in Stark Bank's API (so `2` is written `2.0`, as Python would). */
const FLOAT_KEYS = new Set(['fine', 'interest', 'percentage']);

function dumpString(value: string): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function dumpNumber(value: number, isFloat: boolean): string {
  if (!Number.isFinite(value)) throw new Error(`cannot serialise ${value}`);
  return isFloat && Number.isInteger(value) ? `${value}.0` : String(value);
}

function dump(value: unknown, isFloat: boolean): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return dumpString(value);
    case 'number':
      return dumpNumber(value, isFloat);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => dump(item ?? null, isFloat)).join(', ')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${dumpString(k)}: ${dump(v, FLOAT_KEYS.has(k))}`).join(', ')}}`;
    }
    default:
      throw new Error(`cannot serialise a ${typeof value}`);
  }
}

export function pythonJsonDumps(value: unknown): string {
  return dump(value, false);
}
