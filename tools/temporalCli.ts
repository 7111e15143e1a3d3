import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findOnPath, isExecutable, readVersion } from './executables';
import { goInstall } from './goInstall';

// v1.5.1 is the newest CLI tag whose go.mod has no `replace` directive, so `go install …@v1.5.1` works
// (from v1.6.0 on it is refused). It embeds server 1.29.1; `go install` builds report version 0.0.0-DEV,
// so the embedded server version is what identifies the pin.
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const PINNED_SERVER_VERSION = '1.29.1';

const EXE_NAME = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

export type TemporalCliSource = 'env' | 'path' | 'cache' | 'go-install';

export type ResolvedTemporalCli =
  | { path: string; source: TemporalCliSource; version: string }
  // No local binary: let `TestWorkflowEnvironment.createLocal` fetch its default build (needs internet).
  | { path: undefined; source: 'sdk-download'; version: undefined };

export interface ResolveTemporalCliOptions {
  /** Environment to read (TEMPORAL_CLI_PATH, PATH, cache dirs, HOME); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Build with `go install` when nothing else is found (takes minutes the first time). Default true. */
  goInstall?: boolean;
  /** Progress messages; defaults to stderr so stdout stays clean for scripts. */
  log?: (message: string) => void;
}

export class TemporalCliNotFoundError extends Error {
  constructor(readonly attempts: string[]) {
    super(
      [
        `Temporal CLI ${TEMPORAL_CLI_VERSION} not found. Tried:`,
        ...attempts.map((a) => `  - ${a}`),
        'Fix one of:',
        '  - set TEMPORAL_CLI_PATH=/path/to/temporal',
        '  - put `temporal` on PATH (https://docs.temporal.io/cli#install)',
        `  - install Go >= 1.25 and run \`npm run temporal:cli\` (go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION})`,
      ].join('\n'),
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

const defaultLog = (message: string): void => {
  process.stderr.write(`[temporal-cli] ${message}\n`);
};

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_CACHE_DIR) return env.TEMPORAL_CLI_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'starkbank-payouts', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

export function matchesPinnedVersion(versionOutput: string): boolean {
  return (
    versionOutput.includes(TEMPORAL_CLI_VERSION.slice(1)) || versionOutput.includes(`Server ${PINNED_SERVER_VERSION}`)
  );
}

/**
 * Builds the CLI into `cacheDir` via a private temporary GOBIN and an atomic rename, so an interrupted or
 * concurrent build never leaves a half-written `temporal` where the cache route would pick it up.
 */
async function buildIntoCache(goExe: string, cacheDir: string, env: NodeJS.ProcessEnv, log: (m: string) => void) {
  await mkdir(cacheDir, { recursive: true });
  const gobin = await mkdtemp(path.join(cacheDir, '.build-'));
  const target = `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`;
  log(`building ${target} with ${goExe} into ${cacheDir} (several minutes on a cold Go cache)…`);
  try {
    await goInstall({ goExe, targets: [target], gobin, env, log });
    const finalPath = path.join(cacheDir, EXE_NAME);
    await rename(path.join(gobin, EXE_NAME), finalPath);
    return finalPath;
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, then `temporal` on PATH, then the cache dir, then a `go install`
 * build into the cache dir; with none of those, returns `source: 'sdk-download'`.
 */
export async function resolveTemporalCli(options: ResolveTemporalCliOptions = {}): Promise<ResolvedTemporalCli> {
  const result = await resolveWithAttempts(options);
  return result.resolved;
}

/** Like {@link resolveTemporalCli}, but never falls back to the SDK download: throws listing every route tried. */
export async function resolveTemporalCliStrict(
  options: ResolveTemporalCliOptions = {},
): Promise<Extract<ResolvedTemporalCli, { path: string }>> {
  const { resolved, attempts } = await resolveWithAttempts(options);
  if (resolved.path === undefined) throw new TemporalCliNotFoundError(attempts);
  return resolved;
}

async function resolveWithAttempts(
  options: ResolveTemporalCliOptions,
): Promise<{ resolved: ResolvedTemporalCli; attempts: string[] }> {
  const env = options.env ?? process.env;
  const log = options.log ?? defaultLog;
  const attempts: string[] = [];
  const found = (p: string, source: TemporalCliSource, version: string) => {
    if (!matchesPinnedVersion(version)) log(`warning: ${p} reports "${version}", expected ${TEMPORAL_CLI_VERSION}`);
    return { resolved: { path: p, source, version }, attempts };
  };

  // An explicit setting that is wrong must fail loudly rather than silently run some other binary.
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return found(fromEnv, 'env', await readVersion(fromEnv, env));
  }
  attempts.push('TEMPORAL_CLI_PATH: not set');

  const onPath = await findOnPath(EXE_NAME, env);
  if (onPath) {
    try {
      return found(onPath, 'path', await readVersion(onPath, env));
    } catch (error) {
      attempts.push(`PATH: ${onPath} does not run (${(error as Error).message})`);
    }
  } else {
    attempts.push(`PATH: no ${EXE_NAME}`);
  }

  const cacheDir = temporalCliCacheDir(env);
  const cached = path.join(cacheDir, EXE_NAME);
  if (await isExecutable(cached)) {
    try {
      return found(cached, 'cache', await readVersion(cached, env));
    } catch (error) {
      attempts.push(`cache: ${cached} does not run, rebuilding (${(error as Error).message})`);
    }
  } else {
    attempts.push(`cache: no ${cached}`);
  }

  const goExe = await findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env);
  if (options.goInstall === false) {
    attempts.push('go install: disabled by caller');
  } else if (!goExe) {
    attempts.push('go install: no `go` on PATH');
  } else {
    try {
      const built = await buildIntoCache(goExe, cacheDir, env, log);
      return found(built, 'go-install', await readVersion(built, env));
    } catch (error) {
      attempts.push(`go install: failed (${(error as Error).message})`);
      log(`go install failed: ${(error as Error).message}`);
    }
  }

  attempts.push('SDK download: left to TestWorkflowEnvironment.createLocal (needs internet)');
  return { resolved: { path: undefined, source: 'sdk-download', version: undefined }, attempts };
}
