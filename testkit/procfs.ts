import fs from 'node:fs';

/** The fields of `/proc/<pid>/stat` after the command name, so field N of proc(5) is at index N - 3. */
function statFields(pid: number | string): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined;
  }
}

// utime, stime, cutime, cstime are fields 14..17, in clock ticks (100 per second on Linux).
const ticksToMs = (fields: string[], from: number, to: number) =>
  (fields.slice(from - 3, to - 2).reduce((sum, f) => sum + Number(f), 0) * 1000) / 100;

/**
 * CPU time (user + system) a process has used so far, in ms; NaN when it is gone. With `children`, also what
 * its children used, live (read one by one) or exited and reaped (in its own cutime and cstime): a PostgreSQL
 * postmaster does little itself, its backends do the work. Linux `/proc` only.
 */
export function processCpuMs(pid: number | undefined, opts: { children?: boolean } = {}): number {
  if (pid === undefined || pid <= 0) return NaN;
  const own = statFields(pid);
  if (!own) return NaN;
  if (!opts.children) return ticksToMs(own, 14, 15);
  let total = ticksToMs(own, 14, 17);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[1]) === pid) total += ticksToMs(fields, 14, 15);
  }
  return total;
}
