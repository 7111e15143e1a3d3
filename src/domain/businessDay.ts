/** Stark Bank's business day: the calendar day in a time zone (America/Sao_Paulo by default), not in UTC. */

// A formatter is costly to make and a payout asks for the day several times: one per time zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of `at` in `timeZone`. */
export function businessDay(at: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

/** The instants a business day starts and ends (exclusive), as UTC dates. */
export function businessDayBounds(day: string, timeZone: string): { start: Date; end: Date } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return { start: zonedMidnight(y, m, d, timeZone), end: zonedMidnight(y, m, d + 1, timeZone) };
}

const DAY_MS = 86_400_000;

/**
 * The UTC instant a date starts in `timeZone`: wall-clock midnight less the offset in force then, which is the
 * offset of the day before or of the day after when a clock change is near. Of those instants, the earliest that
 * falls on the date: where a change skips midnight, the offset before it gives the instant of the change itself.
 */
function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  const date = new Date(wall).toISOString().slice(0, 10);
  const starts = [
    wall - offsetMs(new Date(wall - DAY_MS), timeZone),
    wall - offsetMs(new Date(wall + DAY_MS), timeZone),
  ];
  return new Date(Math.min(...starts.filter((t) => businessDay(new Date(t), timeZone) === date)));
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at`. */
function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
