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
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Start of a `YYYY-MM-DD` day in Brasília (UTC-3), where Stark Bank keeps its calendar. */
function brasiliaDayStartMs(date: string): number {
  return Date.parse(`${date}T00:00:00-03:00`);
}

/** When an invoice `due` passes: a datetime at that instant; a date-only due (payable all day) at the day's end. */
export function dueInstantMs(due: string): number {
  return DATE_ONLY.test(due) ? brasiliaDayStartMs(due) + DAY_MS : Date.parse(due);
}

/** When a transfer `scheduled` for a datetime or a date may start: that instant, or the start of that day. */
export function scheduledInstantMs(scheduled: string): number {
  return DATE_ONLY.test(scheduled) ? brasiliaDayStartMs(scheduled) : Date.parse(scheduled);
}
