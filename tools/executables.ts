import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Runs `<exe> --version`; rejects when the binary cannot run, so a truncated build is never trusted. */
export function readVersion(exe: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(exe, ['--version'], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`\`${exe} --version\` failed: ${(stderr || error.message).trim()}`));
      else resolve(stdout.trim());
    });
  });
}
