import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const repoRoot = path.resolve(__dirname, '..');

export interface ChildService {
  process: ChildProcess;
  /** Every JSON log line the process printed so far. */
  logs: Record<string, unknown>[];
  /** Everything the process wrote to stderr so far (panics and crashes land here). */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves, with its exit code, what it printed last and its errors, if the process exits without stop(). */
  crashed: Promise<string>;
}

/**
 * Runs one of the product's entry points as a real process (`tsx src/<entry>.ts`, or node for a compiled `.js`)
 * and resolves once a log line matches `ready`. Output is kept for assertions and shown when the process fails to
 * start.
 */
export async function startService(
  entry: string,
  env: Record<string, string>,
  ready: (line: Record<string, unknown>) => boolean,
  timeoutMs = 30_000,
  nodeArgs: string[] = [],
  entryArgs: string[] = [],
): Promise<ChildService> {
  // Compiled entry points (lib/…/*.js, as in the image) run on plain node; sources through tsx.
  const loader = entry.endsWith('.js') ? [] : ['--import', 'tsx'];
  const args = [...nodeArgs, ...loader, path.join(repoRoot, entry), ...entryArgs];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready after ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = { msg: line };
      }
      logs.push(parsed);
      if (ready(parsed)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready\n${stderr}`));
    });
  });
  let stopping = false;
  const crashed = new Promise<string>((resolve) => {
    void exited.then((code) => {
      if (stopping) return;
      const errors = logs.filter((l) => typeof l.level === 'number' && l.level >= 50).slice(-3);
      const last = errors.length > 0 ? errors : logs.slice(-3);
      resolve(`${entry} (pid ${child.pid}) exited with ${code}\n${JSON.stringify(last)}\n${stderr.slice(-2_000)}`);
    });
  });
  return {
    process: child,
    logs,
    stderr: () => stderr,
    crashed,
    async stop(signal = 'SIGTERM') {
      stopping = true;
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The admin port (metrics, readiness, codec) a worker or webhook process logged when it started. */
export function adminUrlOf(service: ChildService): string {
  const url = service.logs.find((l) => typeof l.adminUrl === 'string')?.adminUrl;
  if (typeof url !== 'string') throw new Error('the process logged no adminUrl');
  return url;
}

/** Runs an entry point (through tsx) to its exit; what it printed is the evidence. */
export async function runToExit(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, output };
}

/** Writes text to a fresh temp file (e.g. the emulator's CA for a child process) and returns its path. */
export function tempFile(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payouts-test-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}
