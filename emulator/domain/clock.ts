/**
 * Stark Bank timestamps look like `2024-02-29T05:00:11.794243+00:00`. This clock hands out strictly increasing
 * microsecond timestamps, so `created` doubles as a total order for lists and cursors.
 */
export interface Clock {
  nowMs(): number;
  timestamp(): string;
}

export function toStarkTimestamp(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString(); // 2024-02-29T05:00:11.794Z
  const extraMicros = String(micros % 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${extraMicros}+00:00`;
}

export function createClock(): Clock {
  let lastMicros = 0;
  return {
    nowMs: () => Date.now(),
    timestamp: () => {
      lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
      return toStarkTimestamp(lastMicros);
    },
  };
}

/** `YYYY-MM-DD` (UTC) of a Stark timestamp or any string `Date` can read; undefined when unreadable. */
export function dateOnly(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString().slice(0, 10);
}

export function addSeconds(timestamp: string, seconds: number): string {
  const micros = Date.parse(timestamp) * 1000 + Number(timestamp.slice(23, 26));
  return toStarkTimestamp(micros + seconds * 1_000_000);
}

const DAY_MS = 24 * 3_600_000;

/**
 * When an invoice `due` passes: a datetime at that instant; a date-only due (a "scheduled" invoice) is payable the
 * whole day, so it passes at the end of that day in Brasília (UTC-3), where Stark Bank keeps its calendar.
 */
export function dueInstantMs(due: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(due) ? Date.parse(`${due}T00:00:00-03:00`) + DAY_MS : Date.parse(due);
}
