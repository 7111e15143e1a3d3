import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the data dir for this process through `<root>/cluster.pid`, so two clusters never share one PostgreSQL
 * data dir. A file left by a process that has died is taken over. Resolves to the release function.
 */
export async function lockDataDir(root: string): Promise<() => Promise<void>> {
  await mkdir(root, { recursive: true });
  const file = path.join(root, 'cluster.pid');
  const recorded = await readFile(file, 'utf8').catch(() => undefined);
  if (recorded !== undefined) {
    const owner = Number(recorded.trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new Error(`${root} is in use by another cluster (pid ${owner}); stop that one first`);
    }
    await rm(file, { force: true });
  }
  // `wx` fails if another start wrote the file since we read it.
  await writeFile(file, `${process.pid}\n`, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST' ? new Error(`${root} is being claimed by another cluster start`) : error;
  });
  return async () => {
    const current = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (current === String(process.pid)) await rm(file, { force: true });
  };
}
