import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { findOnPath, isExecutable, readVersion } from '../executables';
import { goInstall } from '../goInstall';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_UI_VERSION = 'v2.42.1';

/** One `go install` into one cache dir, plus the module's non-Go files the cluster needs next to the binaries. */
interface Bundle {
  name: string;
  module: string;
  version: string;
  /** Package paths inside the module, each built to a binary named after its last segment. */
  commands: string[];
  /** Files or dirs of the module source copied into the cache, so it never depends on GOMODCACHE surviving. */
  moduleFiles: string[];
}

const serverBundle: Bundle = {
  name: 'temporal-server',
  module: 'go.temporal.io/server',
  version: TEMPORAL_SERVER_VERSION,
  commands: ['cmd/server', 'cmd/tools/sql'],
  moduleFiles: [
    'config/development-postgres12.yaml',
    'config/dynamicconfig/development-sql.yaml',
    'schema/postgresql/v12',
  ],
};

// Its own dir: the UI's binary is also named `server` and would overwrite the Temporal server's.
const uiBundle: Bundle = {
  name: 'temporal-ui',
  module: 'github.com/temporalio/ui-server/v2',
  version: TEMPORAL_UI_VERSION,
  commands: ['cmd/server'],
  moduleFiles: [],
};

export interface ClusterBinaries {
  /** The Temporal server (`server --root … start`). */
  server: string;
  /** temporal-sql-tool, built as `sql`. */
  sqlTool: string;
  /** Holds `config/development-postgres12.yaml`, `config/dynamicconfig/development-sql.yaml`, `schema/postgresql/v12`. */
  serverSources: string;
  /** The standalone Web UI (`server --root … start`). */
  ui: string;
}

export interface ResolveClusterBinariesOptions {
  /** Environment to read (PATH, XDG_CACHE_HOME, HOME); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Build with `go install` when the cache lacks a bundle (minutes on a cold Go cache). Default true. */
  goInstall?: boolean;
  log?: (message: string) => void;
  signal?: AbortSignal;
}

export class ClusterBinariesNotFoundError extends Error {
  constructor(bundle: string, reason: string) {
    super(
      [
        `${bundle} is not built: ${reason}.`,
        'Build the Temporal server, its SQL tool and the Web UI with `npm run cluster:binaries`',
        '(needs Go >= 1.25 and the Go module proxy; several minutes on a cold Go cache).',
      ].join('\n'),
    );
    this.name = 'ClusterBinariesNotFoundError';
  }
}

const defaultLog = (message: string): void => {
  process.stderr.write(`[cluster] ${message}\n`);
};

export function clusterCacheDir(name: string, version: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'starkbank-payouts', name, version);
}

/** Finds the cached server, SQL tool and Web UI, building whichever is missing or broken with `go install`. */
export async function resolveClusterBinaries(options: ResolveClusterBinariesOptions = {}): Promise<ClusterBinaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? defaultLog;
  const build = options.goInstall === false ? undefined : { log, signal: options.signal };
  const serverDir = await ensureBundle(serverBundle, env, build);
  const uiDir = await ensureBundle(uiBundle, env, build);
  return {
    server: path.join(serverDir, 'server'),
    sqlTool: path.join(serverDir, 'sql'),
    serverSources: serverDir,
    ui: path.join(uiDir, 'server'),
  };
}

/** Why a cache dir cannot be used, or undefined when every binary runs as the pinned version and every file is there. */
async function cacheProblem(bundle: Bundle, dir: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const command of bundle.commands) {
    const exe = path.join(dir, path.basename(command));
    if (!(await isExecutable(exe))) return `no ${exe}`;
    try {
      const version = await readVersion(exe, env);
      if (!version.includes(bundle.version.slice(1))) return `${exe} reports "${version}"`;
    } catch (error) {
      return (error as Error).message;
    }
  }
  const missing = bundle.moduleFiles.find((file) => !existsSync(path.join(dir, file)));
  return missing ? `no ${path.join(dir, missing)}` : undefined;
}

interface Build {
  log: (m: string) => void;
  signal?: AbortSignal;
}

/** The bundle's cache dir, built first when unusable and `build` allows it. */
async function ensureBundle(bundle: Bundle, env: NodeJS.ProcessEnv, build: Build | undefined): Promise<string> {
  const dir = clusterCacheDir(bundle.name, bundle.version, env);
  const problem = await cacheProblem(bundle, dir, env);
  if (!problem) return dir;
  if (!build) throw new ClusterBinariesNotFoundError(`${bundle.name} ${bundle.version}`, problem);
  const goExe = await findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env);
  if (!goExe) {
    throw new ClusterBinariesNotFoundError(`${bundle.name} ${bundle.version}`, `${problem}, and no \`go\` on PATH`);
  }
  await buildBundle(bundle, goExe, dir, env, build);
  const after = await cacheProblem(bundle, dir, env);
  if (after) throw new Error(`${bundle.name} built into ${dir} but does not work: ${after}`);
  return dir;
}

/**
 * Builds into a private temporary dir next to the cache dir and renames it into place whole, so an interrupted
 * or concurrent build never leaves a half-filled cache dir that the lookup would trust.
 */
async function buildBundle(
  bundle: Bundle,
  goExe: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  { log, signal }: Build,
): Promise<void> {
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, '.build-'));
  try {
    const targets = bundle.commands.map((command) => `${bundle.module}/${command}@${bundle.version}`);
    log(`building ${targets.join(' ')} with ${goExe} into ${dir} (several minutes on a cold Go cache)…`);
    await goInstall({ goExe, targets, gobin: staging, env, log, signal });
    if (bundle.moduleFiles.length > 0) {
      const source = await moduleDir(goExe, `${bundle.module}@${bundle.version}`, env);
      for (const file of bundle.moduleFiles) await copyTree(path.join(source, file), path.join(staging, file));
    }
    await chmod(staging, 0o755);
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(staging, dir);
    } catch (error) {
      // A concurrent build renamed its copy first; that one is as good as ours.
      if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

const modDownload = z.object({ Dir: z.string().min(1) });

/** Where `go` keeps the module's source (downloading it if needed, which `go install` already did). */
function moduleDir(goExe: string, moduleAtVersion: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    // From a neutral dir, so a go.mod in the caller's cwd plays no part.
    execFile(
      goExe,
      ['mod', 'download', '-json', moduleAtVersion],
      { env, cwd: os.tmpdir() },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`go mod download ${moduleAtVersion} failed: ${(stderr || error.message).trim()}`));
        else resolve(modDownload.parse(JSON.parse(stdout)).Dir);
      },
    );
  });
}

/** Copies a file or a dir tree with writable modes: the Go module cache is read-only, which would block `rm -rf`. */
async function copyTree(from: string, to: string): Promise<void> {
  const entries = await readdir(from, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!entries) {
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(from, to);
    await chmod(to, 0o644);
    return;
  }
  await mkdir(to, { recursive: true });
  for (const entry of entries) await copyTree(path.join(from, entry.name), path.join(to, entry.name));
}
