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

const DATABASES = [
  { name: 'temporal', schema: 'temporal' },
  { name: 'temporal_visibility', schema: 'visibility' },
] as const;

function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed:\n${`${stdout}${stderr}`.trim()}`));
      else resolve(stdout.trim());
    });
  });
}

/**
 * Creates the `temporal` and `temporal_visibility` databases when missing and brings both schemas to the
 * server's version. Safe on every start: `setup-schema -v 0.0` skips a versioned database and `update-schema`
 * applies only the versions it lacks.
 */
export async function ensureSchemas(opts: SchemaOptions): Promise<void> {
  const query = (database: string, sql: string) =>
    exec(opts.psql, ['-h', '127.0.0.1', '-p', String(opts.port), '-U', opts.user, '-d', database, '-XAtc', sql], {
      PGPASSWORD: opts.password,
      PGCONNECT_TIMEOUT: '10',
    });
  const sqlTool = (database: string, ...command: string[]) =>
    exec(
      opts.sqlTool,
      [
        ...['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(opts.port)],
        ...['-u', opts.user, '--pw', opts.password, '--db', database, ...command],
      ],
      {},
    );

  const existing = new Set((await query('postgres', 'SELECT datname FROM pg_database')).split('\n'));
  for (const { name, schema } of DATABASES) {
    if (!existing.has(name)) {
      opts.log(`creating database ${name}`);
      await sqlTool(name, 'create-database');
    }
    const versioned = path.join(opts.serverSources, 'schema', 'postgresql', 'v12', schema, 'versioned');
    await sqlTool(name, 'setup-schema', '-v', '0.0');
    await sqlTool(name, 'update-schema', '-d', versioned);
    opts.log(`database ${name} at schema ${await query(name, 'SELECT curr_version FROM schema_version')}`);
  }
}
