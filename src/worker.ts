import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { ConfigError, loadConfig, type Config } from './config';
import { cachedRetention, lookbackProblem } from './temporal/namespace';
import { payloadKeyProblem, searchAttributeProblem } from './temporal/provision';
import { customSearchAttributes } from './temporal/searchAttributes';
import { createStarkUser } from './starkbank/user';
import { createDataConverter, createTemporalClient } from './temporal/client';
import { logger } from './observability/logger';
import { installTemporalRuntime } from './temporal/runtime';
import { installStarkbankPatches } from './starkbank/sdkPatches';
import { startAdminServer } from './observability/adminServer';
import { startCodecServer } from './temporal/codecServer';
import { registerPayoutGauges } from './observability/payoutGauges';
import { errorMessage } from './shared/errors';
import { installTracing, tracedBundlePath, workerTracingOptions, type Tracing } from './observability/tracing';

/**
 * Builds the worker: payout (and issuance) workflows plus the Stark Bank activities.
 * WORKFLOW_BUNDLE_PATH points at a prebuilt bundle (production images); otherwise workflows are bundled at start.
 */
export async function createWorker(config: Config, tracing: Tracing): Promise<Worker> {
  const { maxCachedWorkflows, maxConcurrentWorkflowTasks, maxConcurrentActivities } = config.worker;
  const user = createStarkUser(config.stark);
  const client = createTemporalClient(config.temporal);
  const retentionMs = cachedRetention(client);
  // Refuse to start on a namespace that lacks what the workflows write, or that forgets too soon.
  const problems = [
    lookbackProblem(config.recovery.lookbackDays, await retentionMs(), client.options.namespace),
    await searchAttributeProblem(client, customSearchAttributes),
    await payloadKeyProblem(client, config.temporal.taskQueue),
  ].filter((p) => p !== undefined);
  if (problems.length > 0) throw new ConfigError(`Cannot start the worker:\n  ${problems.join('\n  ')}`);
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  const plainBundle = process.env.WORKFLOW_BUNDLE_PATH;
  const bundlePath = plainBundle && tracing.enabled ? tracedBundlePath(plainBundle) : plainBundle;
  const { interceptors, sinks } = workerTracingOptions(tracing);
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter: createDataConverter(config.temporal.payloadKeys),
    // A prebuilt bundle holds the workflow interceptors or not (tools/buildWorkflowBundle.ts writes both).
    ...(bundlePath
      ? { workflowBundle: { codePath: bundlePath }, interceptors: { ...interceptors, workflowModules: undefined } }
      : { workflowsPath: require.resolve('./workflows'), interceptors }),
    sinks,
    activities: createActivities({
      user,
      client,
      taskQueue: config.temporal.taskQueue,
      destination: config.destination,
      guardrails: config.guardrails,
      workspaceId: config.stark.workspaceId,
      timeZone: config.payoutDayTimeZone,
      lateCommitMs: config.stark.lateCommitMs,
      retentionMs,
    }),
    maxCachedWorkflows,
    ...(maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: maxConcurrentWorkflowTasks } : {}),
    ...(maxConcurrentActivities
      ? {
          maxConcurrentActivityTaskExecutions: maxConcurrentActivities,
          maxConcurrentLocalActivityExecutions: maxConcurrentActivities,
        }
      : {}),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  installTemporalRuntime(logger, config.admin.sdkMetricsAddress);
  const tracing = installTracing(config.tracing, 'starkbank-payouts-worker');
  installStarkbankPatches(config.stark);
  const worker = await createWorker(config, tracing);
  if (config.admin.payoutGauges) registerPayoutGauges(createTemporalClient(config.temporal), config.temporal.taskQueue);
  const admin = await startAdminServer({
    host: config.admin.host,
    port: config.admin.port,
    checkReady: () => Promise.resolve(worker.getState() === 'RUNNING' ? [] : ['worker']),
  });
  const codec = await startCodecServer(config, logger);
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      adminUrl: admin.url,
      codecUrl: codec?.url,
    },
    'worker started',
  );
  // The SDK's Runtime stops the worker gracefully on SIGINT/SIGTERM; run() resolves once it has drained.
  await worker.run();
  // The runtime forwards sdk-core's logs for as long as a connection is open: close it, or the process stays.
  await worker.connection?.close();
  await admin.close();
  await codec?.close();
  await tracing.shutdown();
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err: errorMessage(err) }, 'worker failed');
    process.exit(1);
  });
}
