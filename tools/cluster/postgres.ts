import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, lstat, mkdir, mkdtemp, open, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, isExecutable } from '../executables';
import { tail } from './processes';

export interface PostgresOptions {
  /** The data directory (PGDATA), created and initialised on first use. */
  dataDir: string;
  logFile: string;
  port: number;
  /** The bootstrap superuser initdb creates; Temporal connects as this user. */
  user: string;
  password: string;
  log: (message: string) => void;
}

export interface Postgres {
  binDir: string;
  /** `pg_ctl stop -m fast`: ends sessions, checkpoints, keeps the data. */
  stop(): Promise<void>;
}

/** The system account PostgreSQL runs under when we are root: it refuses to run as root. */
interface Account {
  uid: number;
  gid: number;
  /** Its home directory, which it can always reach. */
  home: string;
}

const DEBIAN_VERSIONS_DIR = '/usr/lib/postgresql';
const SERVER_TOOLS = ['initdb', 'pg_ctl', 'psql'];

export class PostgresNotFoundError extends Error {
  constructor(looked: string) {
    super(
      `PostgreSQL server binaries (${SERVER_TOOLS.join(', ')}) not found in ${looked}.\n` +
        'Install them: `apt-get install postgresql` (Debian; .ci/run does it).',
    );
    this.name = 'PostgresNotFoundError';
  }
}

async function hasServerTools(dir: string): Promise<boolean> {
  for (const tool of SERVER_TOOLS) if (!(await isExecutable(path.join(dir, tool)))) return false;
  return true;
}

/**
 * Debian keeps initdb and pg_ctl off PATH, in /usr/lib/postgresql/<major>/bin. An existing data dir needs the
 * major version that created it; a new one gets the newest installed. PATH is the fallback for other systems.
 */
export async function findPostgresBinDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const versionFile = path.join(dataDir, 'PG_VERSION');
  const wanted = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : undefined;
  const majors = (await readdir(DEBIAN_VERSIONS_DIR).catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of wanted ? [wanted] : majors) {
    const dir = path.join(DEBIAN_VERSIONS_DIR, major, 'bin');
    if (await hasServerTools(dir)) return dir;
  }
  const onPath = await findOnPath('pg_ctl', env);
  if (onPath && (await hasServerTools(path.dirname(onPath)))) return path.dirname(onPath);
  throw new PostgresNotFoundError(
    wanted
      ? `${DEBIAN_VERSIONS_DIR}/${wanted}/bin (${dataDir} was created by PostgreSQL ${wanted}) or PATH`
      : `${DEBIAN_VERSIONS_DIR}/*/bin or PATH`,
  );
}

interface RunResult {
  code: number;
  output: string;
}

/** Runs a command, as the `postgres` account when one is given (we are root); never rejects on exit codes. */
async function run(file: string, args: string[], account: Account | undefined): Promise<RunResult> {
  const runuser = account ? ((await findOnPath('runuser', process.env)) ?? '/usr/sbin/runuser') : undefined;
  const [command, argv] = runuser ? [runuser, ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    // cwd `/`: as `postgres` the caller's cwd (often under /root) may not be readable.
    execFile(command, argv, { cwd: '/', timeout: 120_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!error) resolve({ code: 0, output });
      else if (typeof error.code === 'number') resolve({ code: error.code, output });
      else reject(new Error(`${path.basename(file)} could not run: ${error.message}`));
    });
  });
}

async function mustRun(file: string, args: string[], account: Account | undefined): Promise<string> {
  const result = await run(file, args, account);
  if (result.code !== 0) {
    throw new Error(`${path.basename(file)} ${args[0] ?? ''} failed (exit ${result.code}):\n${result.output}`);
  }
  return result.output;
}

async function postgresAccount(): Promise<Account | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) =>
    Number((await mustRun('id', [flag, 'postgres'], undefined).catch(() => '')) || NaN);
  const [uid, gid] = [await id('-u'), await id('-g')];
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error('running as root, PostgreSQL must run as the `postgres` user, which does not exist here');
  }
  const home = (await mustRun('getent', ['passwd', 'postgres'], undefined).catch(() => '')).split(':')[5];
  return { uid, gid, home: home || '/var/lib/postgresql' };
}

/**
 * Where PostgreSQL keeps the cluster's data and log: `<root>/postgres` and the given log file, unless we are
 * root and the `postgres` account cannot reach `<root>` (a checkout under /root, which is 0700; a umask of 077).
 * Then they live in a directory of its own under its home, which `<root>/postgres` links to: the next start
 * finds it, and deleting `<root>` starts over.
 */
export async function postgresLocation(
  root: string,
  logFile: string,
  log: (message: string) => void,
): Promise<{ dataDir: string; logFile: string }> {
  const link = path.join(root, 'postgres');
  const linked = await lstat(link).then(
    (s) => s.isSymbolicLink(),
    () => false,
  );
  if (linked) {
    const dataDir = path.resolve(root, await readlink(link));
    return { dataDir, logFile: path.join(path.dirname(dataDir), 'postgres.log') };
  }
  const account = await postgresAccount();
  await mkdir(path.dirname(logFile), { recursive: true });
  const reach = account && (await run('test', ['-x', root, '-a', '-x', path.dirname(logFile)], account));
  if (!reach || reach.code === 0) return { dataDir: link, logFile };
  if (existsSync(link)) {
    throw new Error(`the postgres user cannot reach ${link}: make its parent directories searchable (chmod o+x)`);
  }
  const parent = path.join(account.home, 'starkbank-payouts');
  await mkdir(parent, { recursive: true, mode: 0o755 });
  const own = await mkdtemp(path.join(parent, 'cluster-'));
  await chown(own, account.uid, account.gid);
  const dataDir = path.join(own, 'data');
  await symlink(dataDir, link);
  log(`the postgres user cannot reach ${root}: PostgreSQL keeps its data in ${own} (linked from ${link})`);
  return { dataDir, logFile: path.join(own, 'postgres.log') };
}

/** Creates the data dir (owned by `postgres` when we are root) and checks that account can reach it. */
async function prepareDirs(opts: PostgresOptions, account: Account | undefined): Promise<void> {
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  await mkdir(path.dirname(opts.logFile), { recursive: true });
  await (await open(opts.logFile, 'a')).close();
  if (!account) return;
  await chown(opts.dataDir, account.uid, account.gid);
  await chown(opts.logFile, account.uid, account.gid);
  const reach = await run('test', ['-w', opts.dataDir, '-a', '-w', opts.logFile], account);
  if (reach.code !== 0) {
    throw new Error(
      `the postgres user cannot write ${opts.dataDir}: a parent directory is not searchable by others. ` +
        'Use a --data-dir under /tmp or /var/lib, or `chmod o+x` its parents.',
    );
  }
}

async function initdb(binDir: string, opts: PostgresOptions, account: Account | undefined): Promise<void> {
  if ((await readdir(opts.dataDir)).length > 0) {
    throw new Error(`${opts.dataDir} is neither empty nor a PostgreSQL data directory (no PG_VERSION)`);
  }
  opts.log(`initialising PostgreSQL in ${opts.dataDir}`);
  // The password goes through a file: initdb reads it from a file or a terminal only.
  const pwfile = path.join(path.dirname(opts.dataDir), '.initdb-password');
  await writeFile(pwfile, `${opts.password}\n`, { mode: 0o600 });
  try {
    if (account) await chown(pwfile, account.uid, account.gid);
    await mustRun(
      path.join(binDir, 'initdb'),
      [
        ...['-D', opts.dataDir, '-U', opts.user, `--pwfile=${pwfile}`],
        ...['--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-instructions'],
      ],
      account,
    );
  } finally {
    await rm(pwfile, { force: true });
  }
}

const stopArgs = (dataDir: string) => ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'];

/**
 * Stops a PostgreSQL that still runs on `dataDir` after the run that started it died without stopping it.
 * Call it only while holding the data dir's lock (lock.ts), so it never stops a live cluster's database.
 */
export async function stopLeftoverPostgres(dataDir: string, log: (message: string) => void): Promise<void> {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const pgCtl = path.join(await findPostgresBinDir(dataDir), 'pg_ctl');
  const account = await postgresAccount();
  if ((await run(pgCtl, ['status', '-D', dataDir], account)).code !== 0) return;
  log(`stopping the PostgreSQL an earlier run left running on ${dataDir}`);
  await mustRun(pgCtl, stopArgs(dataDir), account);
}

/**
 * Starts PostgreSQL on 127.0.0.1:<port> from its own data dir (initdb on first use), as `postgres` when we are
 * root. No Unix socket: the system cluster's socket dir may not be ours to write, and Temporal uses TCP.
 */
export async function startPostgres(opts: PostgresOptions): Promise<Postgres> {
  const binDir = await findPostgresBinDir(opts.dataDir);
  const account = await postgresAccount();
  const pgCtl = path.join(binDir, 'pg_ctl');
  await prepareDirs(opts, account);
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await initdb(binDir, opts, account);

  // The server's config lets each of its four services open 20 + 2 connections: 88, close to the default 100.
  const settings = `-c listen_addresses=127.0.0.1 -p ${opts.port} -c unix_socket_directories='' -c max_connections=200`;
  const started = await run(
    pgCtl,
    ['start', '-D', opts.dataDir, '-l', opts.logFile, '-w', '-t', '60', '-o', settings],
    account,
  );
  if (started.code !== 0) {
    throw new Error(`PostgreSQL did not start (exit ${started.code}):\n${started.output}\n${tail(opts.logFile)}`);
  }
  return {
    binDir,
    stop: async () => {
      await mustRun(pgCtl, stopArgs(opts.dataDir), account);
    },
  };
}
