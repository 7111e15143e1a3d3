import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes whose command line has `--root <dir>` for one of `roots`; none where there is no /proc. */
async function processesRootedIn(roots: string[]): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = (await readFile(path.join('/proc', entry, 'cmdline'), 'utf8').catch(() => '')).split('\0');
    const root = argv[argv.indexOf('--root') + 1];
    if (argv.includes('--root') && root !== undefined && roots.includes(root)) found.push(Number(entry));
  }
  return found;
}

/**
 * Stops a Temporal server or Web UI that an earlier run on this data dir started and, dying, left running:
 * found by their `--root` argument, which names this data dir and nothing else's. Call it only while holding
 * the data dir's lock, so it never stops a live cluster's processes.
 */
export async function stopLeftoverProcesses(root: string, log: (message: string) => void): Promise<void> {
  const pids = await processesRootedIn([root, path.join(root, 'ui')]);
  for (const pid of pids) {
    log(`stopping pid ${pid}, left running on ${root} by an earlier run`);
    process.kill(pid, 'SIGTERM');
  }
  const deadline = Date.now() + 30_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
}
