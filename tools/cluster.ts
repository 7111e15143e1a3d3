import { Command, InvalidArgumentError } from 'commander';
import { CLUSTER_DEFAULTS, startCluster, type LocalCluster } from './cluster/startCluster';
import { DEFAULT_HISTORY_SHARDS } from './cluster/server';
import { settingDefault } from '../src/config';
import { errorMessage } from '../src/shared/errors';
import { localCodecEndpoint } from './localSecrets';

const integer =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}…${max}`);
    return n;
  };
const port = integer(1, 65535);

/**
 * `npm run cluster`: a production-shaped Temporal on this machine (PostgreSQL, the real server with several
 * history shards, the standalone Web UI) in the foreground. Ctrl-C stops it; the next run resumes its data.
 */
const program = new Command()
  .name('npm run cluster --')
  .description('Temporal on PostgreSQL with its Web UI, in the foreground; Ctrl-C stops it and keeps the data.')
  .option('--port <port>', 'frontend gRPC port; the server also uses ports around it', port, CLUSTER_DEFAULTS.port)
  .option('--ui-port <port>', 'Web UI port', port, CLUSTER_DEFAULTS.uiPort)
  .option('--postgres-port <port>', 'PostgreSQL port', port, CLUSTER_DEFAULTS.postgresPort)
  .option('--data-dir <dir>', 'where the database, config and logs live', '.data/cluster')
  .option(
    '--codec-endpoint <url>',
    "where the Web UI decodes payloads (default: npm run dev's codec server, with the token in .data/keys)",
  )
  .option('--shards <n>', `history shards, first start only (default ${DEFAULT_HISTORY_SHARDS})`, integer(1, 16384))
  .option(
    '--retention-days <days>',
    'retention of the default namespace when created',
    integer(1, 3650),
    CLUSTER_DEFAULTS.retentionDays,
  )
  .parse();
const opts = program.opts<{
  port: number;
  uiPort: number;
  postgresPort: number;
  dataDir: string;
  codecEndpoint?: string;
  shards?: number;
  retentionDays: number;
}>();
const say = (line: string) => process.stdout.write(`▸ ${line}\n`);

async function main(): Promise<void> {
  const starting = new AbortController();
  // Filled once started; signal handlers read it, so it cannot be a const declared after them.
  const state: { cluster?: LocalCluster; stopping: boolean } = { stopping: false };
  const stop = async (reason: string, exitCode: number) => {
    const { cluster } = state;
    if (!cluster) {
      // Still starting: startCluster undoes what it began, then main's catch exits. Later signals change
      // nothing: one Ctrl-C can arrive twice, from the terminal and relayed by a parent (npm, tsx).
      if (starting.signal.aborted) return;
      say(`${reason}: abandoning the start…`);
      starting.abort(new Error(`${reason} during start-up`));
      return;
    }
    if (state.stopping) return;
    state.stopping = true;
    say(`${reason}: stopping…`);
    try {
      await cluster.stop();
      say(`stopped; data kept in ${cluster.dataDir}`);
    } catch (error) {
      process.stderr.write(`${errorMessage(error)}\n`);
      exitCode = exitCode || 1;
    }
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal, 0));

  say('starting the local cluster (the first run builds the server and UI with go install: minutes)…');
  const cluster = await startCluster({
    dataDir: opts.dataDir,
    port: opts.port,
    uiPort: opts.uiPort,
    postgresPort: opts.postgresPort,
    historyShards: opts.shards,
    retentionDays: opts.retentionDays,
    codecEndpoint: opts.codecEndpoint ?? localCodecEndpoint('.data', settingDefault('CODEC_PORT')),
    signal: starting.signal,
  });
  state.cluster = cluster;
  say(
    `Temporal frontend at ${cluster.address} (namespace ${cluster.namespace}, ${cluster.historyShards} history shards)`,
  );
  say(`Web UI at ${cluster.uiUrl} (it decodes payloads through npm run dev's codec server)`);
  say(`PostgreSQL at 127.0.0.1:${cluster.ports.postgres}; data, config and logs in ${cluster.dataDir}`);
  say(`run the app on it: TEMPORAL_ADDRESS=${cluster.address} npm run dev -- --demo`);
  say('Ctrl-C stops the Web UI, the server and PostgreSQL; the next run resumes on the same data');
  void cluster.failed.then((error) => {
    process.stderr.write(`${error.message}\n`);
    void stop('failure', 1);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorMessage(error)}\n`);
  process.exit(1);
});
