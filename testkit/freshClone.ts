import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const repoRoot = path.resolve(__dirname, '..');
// What a clone holds that the documented commands read; node_modules stands for `npm ci`.
const ENTRIES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'src',
  'tools',
  'emulator',
  'deploy',
  'node_modules',
];

/**
 * A directory laid out like a fresh clone after `npm ci`: the repository's files (linked), and no `.data/`, so
 * the documented commands run with their default data dirs without touching this checkout's. Made inside
 * `parent`, mode `parentMode` (0700 stands for a clone under /root).
 */
export function freshClone(parentMode = 0o755): { dir: string; remove(): void } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'fresh-clone-'));
  fs.chmodSync(parent, parentMode);
  const dir = path.join(parent, 'starkbank-payouts');
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  for (const entry of ENTRIES) fs.symlinkSync(path.join(repoRoot, entry), path.join(dir, entry));
  return { dir, remove: () => fs.rmSync(parent, { recursive: true, force: true }) };
}

export interface NpmRun {
  child: ChildProcess;
  /** Every line printed so far, stdout and stderr. */
  lines: string[];
  /** Resolves with the first line that matches; rejects when the command exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Ctrl-C, as in a terminal: SIGINT to the whole process group; resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

/** `npm run <script> -- <args>` in `cwd`, as a person types it, in a process group of its own. */
export function npmRun(cwd: string, script: string, args: string[], env: NodeJS.ProcessEnv = process.env): NpmRun {
  const child = spawn('npm', ['run', script, '--', ...args], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    });
  }
  // Once its output has ended too: npm itself may exit on Ctrl-C before the script it ran has finished writing.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    lines,
    waitFor(pattern, timeoutMs) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`npm run ${script}: no ${pattern} after ${timeoutMs} ms\n${lines.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`npm run ${script} exited with ${code} before ${pattern}\n${lines.join('\n')}`));
        });
      });
    },
    async interrupt() {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGINT');
      return exited;
    },
  };
}
