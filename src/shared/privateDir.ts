import fs from 'node:fs';
import path from 'node:path';

/**
 * Makes `dir` readable by its owner only (0700), and its missing parents as any other directory. `mkdirSync`
 * with `recursive` and a mode applies the mode to every parent it creates, which locked other accounts out of
 * `.data/` (PostgreSQL's `postgres` user, which `npm run cluster` runs it as when started by root).
 */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
