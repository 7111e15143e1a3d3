import { spawn } from 'node:child_process';

export interface GoInstallOptions {
  goExe: string;
  /** `module/path/cmd@version` targets; several must come from the same module at the same version. */
  targets: string[];
  /** Where the binaries go; callers pass a private temporary dir and rename from it once the build succeeded. */
  gobin: string;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
  /** Stops the build (SIGTERM to go) when aborted. */
  signal?: AbortSignal;
}

/** `go install` with its output relayed to `log` and a progress line every 30 s, since a cold build takes minutes. */
export async function goInstall({ goExe, targets, gobin, env, log, signal }: GoInstallOptions): Promise<void> {
  const started = Date.now();
  const ticker = setInterval(() => log(`  still building… ${Math.round((Date.now() - started) / 1000)}s`), 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(goExe, ['install', ...targets], {
        env: { ...env, GOBIN: gobin },
        stdio: ['ignore', 'inherit', 'pipe'],
        signal,
      });
      let tail = '';
      child.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        tail = (tail + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim()) log(`  ${line.trim()}`);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`go install ${targets.join(' ')} exited with ${code}:\n${tail}`));
      });
    });
    log(`built in ${Math.round((Date.now() - started) / 1000)}s`);
  } finally {
    clearInterval(ticker);
  }
}
