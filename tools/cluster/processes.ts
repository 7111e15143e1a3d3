import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return `(no ${file})`;
  const text = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  return `last lines of ${file}:\n${text}`;
}

/**
 * Spawns a long-running binary with stdout and stderr appended to `logFile`. Its own process group keeps a
 * terminal's Ctrl-C away from it, so the cluster stops its parts in order (UI, server, then PostgreSQL).
 */
export function spawnLogged(exe: string, args: string[], logFile: string): ChildProcess {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    return spawn(exe, args, { stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
}

export interface WaitOptions {
  what: string;
  child: ChildProcess;
  logFile: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Polls `ready` until it resolves true; fails early, with the log's tail, when the process exits. */
export async function waitUntilReady(ready: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (opts.child.exitCode !== null || opts.child.signalCode !== null) {
      const how = opts.child.exitCode ?? opts.child.signalCode;
      throw new Error(`${opts.what} exited (${how}) before it was ready; ${tail(opts.logFile)}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${opts.what} not ready after ${opts.timeoutMs / 1000} s; ${tail(opts.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
