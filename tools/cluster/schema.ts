import { execFile } from 'node:child_process';
import path from 'node:path';

export interface SchemaOptions {
  sqlTool: string;
  /** Holds `schema/postgresql/v12/{temporal,visibility}/versioned`. */
  serverSources: string;
  /** psql of the running PostgreSQL. */
  psql: string;
  port: number;
  user: string;
  password: string;
  log: (message: string) => void;
}

/** temporal-sql-tool's plugin for PostgreSQL 12 and later; the server's `DB` setting names the same. */
export const SQL_PLUGIN = 'postgres12';

const DATABASES = [
  { name: 'temporal', schema: 'temporal' },
  { name: 'temporal_visibility', schema: 'visibility' },
] as const;

/** One temporal-sql-tool run: the database it acts on (`--db`) and the command after the connection flags. */
export interface SchemaStep {
  database: string;
  command: string[];
}

/**
 * The temporal-sql-tool runs that create both databases and bring their schemas to the server's version, in
 * order. `schemaDir` holds `postgresql/v12/…`: the server module's `schema/` here, `/etc/temporal/schema` in the
 * admin-tools image, whose compose job must run this same list. Safe to repeat: `create-database` ignores a
 * database that exists, `setup-schema -v 0.0` leaves a versioned one alone, `update-schema` applies what it lacks.
 * `paths` is `path.posix` for paths inside a container.
 */
export function schemaSteps(schemaDir: string, paths: path.PlatformPath = path): SchemaStep[] {
  return DATABASES.flatMap(({ name, schema }) => [
    { database: name, command: ['create-database'] },
    { database: name, command: ['setup-schema', '-v', '0.0'] },
    {
      database: name,
      command: ['update-schema', '-d', paths.join(schemaDir, 'postgresql', 'v12', schema, 'versioned')],
    },
  ]);
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed:\n${`${stdout}${stderr}`.trim()}`));
      else resolve(stdout.trim());
    });
  });
}

/** Runs `schemaSteps` against the cluster's PostgreSQL; safe on every start. */
export async function ensureSchemas(opts: SchemaOptions): Promise<void> {
  const query = (database: string, sql: string) =>
    exec(opts.psql, ['-h', '127.0.0.1', '-p', String(opts.port), '-U', opts.user, '-d', database, '-XAtc', sql], {
      PGPASSWORD: opts.password,
      PGCONNECT_TIMEOUT: '10',
    });
  for (const { database, command } of schemaSteps(path.join(opts.serverSources, 'schema'))) {
    await exec(
      opts.sqlTool,
      [
        ...['--plugin', SQL_PLUGIN, '--ep', '127.0.0.1', '-p', String(opts.port)],
        ...['-u', opts.user, '--pw', opts.password, '--db', database, ...command],
      ],
      {},
    );
  }
  for (const { name } of DATABASES) {
    opts.log(`database ${name} at schema ${await query(name, 'SELECT curr_version FROM schema_version')}`);
  }
}
