import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage } from '../src/shared/errors';

/** Percentile of an unsorted sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Load average at measurement time: the machine is shared, so every result records how busy it was. */
export function machine(): Record<string, unknown> {
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg().map((l) => round(l, 2)),
    at: new Date().toISOString(),
  };
}

/** Writes `bench-results/<name>.json` (git-ignored) and returns its path. */
export function writeResult(name: string, data: unknown): string {
  return writeBenchFile(`${name}.json`, `${JSON.stringify({ machine: machine(), ...(data as object) }, null, 2)}\n`);
}

/** Writes a file under bench-results/ (git-ignored) and returns its path. */
export function writeBenchFile(fileName: string, content: string): string {
  const dir = path.resolve(__dirname, '..', 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, content);
  return file;
}

/** Runs `task(i)` for i in [0, total) with at most `concurrency` in flight; returns per-call latencies in ms. */
export async function runPool(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ latenciesMs: number[]; elapsedMs: number; errors: number; firstError?: string }> {
  const latenciesMs: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      try {
        await task(i);
      } catch (err) {
        errors++;
        firstError ??= errorMessage(err);
      }
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return { latenciesMs, elapsedMs: performance.now() - started, errors, firstError };
}

/** CPU time (user + system) a process has used so far, in ms; NaN when it is gone. Linux `/proc` only. */
export function cpuMs(pid: number | undefined): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those, in ticks.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** The value of `--name=value` in argv (a value may itself contain `=`), or the fallback. */
export function argValue(argv: string[], name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}
