import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { LOCAL_DEV_FILE, loadConfig, settingDefault, type LocalDev } from '../src/config';
import { localCodecToken, localOpsCodecTokenFile, localPayloadKeysFile } from './localSecrets';
import { startLocalEmulator } from './localEmulator';
import { startLocalTemporal } from './temporalServer';
import { logger } from '../src/observability/logger';
import { createTemporalClient } from '../src/temporal/client';
import { provisionDeployment } from '../src/setup/provisionDeployment';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { installStarkbankPatches } from '../src/starkbank/sdkPatches';
import { runSetup } from '../src/setup';
import { startWebhook } from '../src/webhook';
import { createWorkers, runWorkers, settleVersion } from '../src/worker';
import { registerPayoutGauges } from '../src/gauges/payoutGauges';
import { installTracing } from '../src/observability/tracing';
import { errorMessage } from '../src/shared/errors';

/**
 * One command that runs everything on this machine: a Temporal dev server with its Web UI (unless
 * TEMPORAL_ADDRESS is set), the Stark Bank emulator (unless STARK_PROJECT_ID is set), the worker, the webhook
 * (registered for invoice and transfer events) and the issuance schedule. Ctrl-C stops it all; state is kept in
 * .data/ so the next run resumes where this one stopped.
 */
const program = new Command()
  .name('npm run dev --')
  .option('--demo', 'issue a batch right away and have the emulator pay within seconds instead of minutes')
  .option('--data-dir <dir>', 'where local state lives', '.data')
  .option('--temporal-port <port>', 'local Temporal frontend port', '7233')
  .option('--ui-port <port>', 'local Temporal Web UI port', '8233')
  .parse();
const opts = program.opts<{ demo?: boolean; dataDir: string; temporalPort: string; uiPort: string }>();
const say = (line: string) => process.stdout.write(`▸ ${line}\n`);

async function main(): Promise<void> {
  if (!process.env.LOG_LEVEL) logger.level = 'warn';
  // The worker's SDK metrics (task latencies, slots, failures) are on here, next to the admin port.
  process.env.SDK_METRICS_ADDRESS ??= '127.0.0.1:9465';
  installTemporalRuntime(logger, process.env.SDK_METRICS_ADDRESS, []);
  const dataDir = path.resolve(opts.dataDir);
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping…`);
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err: String(err) }));
    say('stopped; state kept in ' + dataDir);
    process.exit(0);
  };
  // Every signal is handled, a second Ctrl-C too (tsx passes it on as well): a default handler would kill the run.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(signal));

  // Payloads are encrypted: a local key, the Web UI's codec token and `npm run ops`'s are made on the first run.
  if (!process.env.PAYLOAD_KEYS) process.env.PAYLOAD_KEYS_FILE ??= localPayloadKeysFile(dataDir);
  process.env.CODEC_TOKEN ??= localCodecToken(dataDir);
  const opsTokenFile = localOpsCodecTokenFile(dataDir);
  process.env.CODEC_TOKENS ??= `local-ops:${fs.readFileSync(opsTokenFile, 'utf8').trim()}`;
  const codecPort = Number(process.env.CODEC_PORT ?? settingDefault('CODEC_PORT'));
  const codecEndpoint = `http://127.0.0.1:${codecPort}/codec/${process.env.CODEC_TOKEN}`;

  let uiUrl = process.env.TEMPORAL_UI_URL ?? '(your Temporal Web UI)';
  if (!process.env.TEMPORAL_ADDRESS) {
    say('starting the Temporal dev server (first run may build the CLI with go install: a few minutes)…');
    const local = await startLocalTemporal({
      dataDir: path.join(dataDir, 'temporal'),
      port: Number(opts.temporalPort),
      uiPort: Number(opts.uiPort),
      codecEndpoint,
      logger,
    });
    process.env.CODEC_CORS_ORIGINS ??= `http://localhost:${opts.uiPort},http://127.0.0.1:${opts.uiPort}`;
    stops.push(() => local.stop());
    process.env.TEMPORAL_ADDRESS = local.address;
    uiUrl = local.uiUrl;
    say(`Temporal at ${local.address}, Web UI at ${uiUrl}`);
  }

  const emulated = !process.env.STARK_PROJECT_ID;
  if (emulated) {
    const demo = opts.demo ? { timeScale: 0.02, payShare: 0.8, creditDelayMs: 1_000 } : {};
    const stark = await startLocalEmulator(path.join(dataDir, 'emulator'), demo);
    stops.push(() => stark.emulator.close());
    Object.assign(process.env, stark.env);
    say(`Stark Bank emulator at https://127.0.0.1:${stark.emulator.port} (admin: /admin/state)`);
  }

  // One process, one build, restarted at will (a new commit is a new build id): versioning would leave the payouts
  // of the build before it with no worker. WORKER_VERSIONING=true tries it locally.
  process.env.WORKER_VERSIONING ??= 'false';
  const config = loadConfig();
  const tracing = installTracing(config.tracing, 'starkbank-payouts-dev');
  stops.push(() => tracing.shutdown());
  installStarkbankPatches(config.stark);
  // The namespace (retention, search attributes, pause switch) comes before the worker, which checks it.
  const provisioned = await provisionDeployment(createTemporalClient(config.temporal), {
    taskQueue: config.temporal.taskQueue,
    retentionDays: config.namespaceRetentionDays,
  });
  if (provisioned.manual.length > 0) {
    throw new Error(`the namespace needs a person first:\n  ${provisioned.manual.join('\n  ')}`);
  }
  say(
    `namespace ${config.temporal.namespace} (${provisioned.namespace}): retention ${provisioned.retention}, ` +
      `search attributes ${provisioned.searchAttributes}, pause switch ${provisioned.pauseSwitch}`,
  );
  const workers = await createWorkers(config, tracing);
  // One process serves everything here, so it serves the payout gauges too.
  registerPayoutGauges(createTemporalClient(config.temporal), config.temporal.taskQueue, {
    budget: { dailyMaxCents: config.guardrails.dailyMaxCents, timeZone: config.payoutDayTimeZone },
  });
  const running = runWorkers(workers);
  const sayVersion = (f: { version: string }, msg: string) => say(`${msg} (${f.version})`);
  await settleVersion(config, { info: sayVersion, warn: sayVersion });
  stops.push(async () => {
    running.stop();
    await running.done;
  });
  // Everything else stops only after the workers have drained, the payouts' first (src/worker.ts).
  say(`worker polling task queue ${config.temporal.taskQueue}`);

  const webhook = await startWebhook(config);
  stops.push(() => webhook.close());
  say(`webhook at ${webhook.url}; metrics and readiness at ${webhook.adminUrl}`);
  say(`codec server (the Web UI's and npm run ops') at ${webhook.codecUrl}/codec`);
  // `npm run ops` in this checkout finds this run through the file; removed again when it stops.
  const local: LocalDev = {
    temporalAddress: config.temporal.connectionOptions.address ?? 'localhost:7233',
    namespace: config.temporal.namespace ?? 'default',
    taskQueue: config.temporal.taskQueue,
    codecEndpoint: `${webhook.codecUrl}/codec`,
    codecTokenFile: opsTokenFile,
  };
  const localFile = path.join(dataDir, path.basename(LOCAL_DEV_FILE));
  fs.writeFileSync(localFile, `${JSON.stringify(local, null, 2)}\n`, { mode: 0o600 });
  stops.push(() => fs.promises.rm(localFile, { force: true }));
  say(`the Temporal SDK's worker metrics at http://${process.env.SDK_METRICS_ADDRESS}/metrics`);
  // Locally the emulator reaches the webhook directly; real Stark Bank needs WEBHOOK_PUBLIC_URL (a tunnel).
  const publicUrl = emulated ? webhook.url : config.webhook.publicUrl;
  const setup = await runSetup({ ...config, webhook: { ...config.webhook, publicUrl } });
  say(
    publicUrl
      ? `Stark Bank delivers invoice and transfer events to ${publicUrl} (${setup.webhook})`
      : 'WEBHOOK_PUBLIC_URL is not set: Stark Bank cannot reach this webhook (see README, "Real Stark Bank")',
  );
  say(
    `schedules: ${Object.entries(setup.schedules)
      .map(([id, outcome]) => `${id} (${outcome})`)
      .join(', ')}`,
  );
  say(
    `invoices every ${config.issuance.interval}; event sweep every ${config.recovery.sweepInterval}; ` +
      `reconciliation every ${config.recovery.reconcileInterval}`,
  );
  const client = createTemporalClient(config.temporal);
  if (opts.demo) {
    await client.schedule.getHandle(config.issuance.scheduleId).trigger();
    say('demo: a batch of invoices is being issued now; the emulator pays most of them within seconds');
  }
  say(`watch payouts in ${uiUrl}/namespaces/${config.temporal.namespace}/workflows?query=WorkflowType%3D%22payout%22`);
  say(`operate it from another terminal: ${opsCommand(dataDir, local)}`);
  say('Ctrl-C stops everything');
}

/** How to run `npm run ops` against this run: bare in this checkout, with its variables from elsewhere. */
function opsCommand(dataDir: string, local: LocalDev): string {
  if (path.resolve(LOCAL_DEV_FILE) === path.join(dataDir, path.basename(LOCAL_DEV_FILE))) {
    return 'npm run ops -- payouts list';
  }
  return [
    `TEMPORAL_ADDRESS=${local.temporalAddress}`,
    `TEMPORAL_NAMESPACE=${local.namespace}`,
    `TEMPORAL_TASK_QUEUE=${local.taskQueue}`,
    `TEMPORAL_CODEC_ENDPOINT=${local.codecEndpoint}`,
    `TEMPORAL_CODEC_AUTH="Bearer $(cat ${local.codecTokenFile})"`,
    'npm run ops -- payouts list',
  ].join(' ');
}

main().catch((err: unknown) => {
  logger.fatal({ err: errorMessage(err) }, 'dev failed to start');
  process.stderr.write(`${errorMessage(err)}\n`);
  process.exit(1);
});
