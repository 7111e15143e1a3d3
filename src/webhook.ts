import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { ConfigError, loadConfig, type Config } from './config';
import { createEventDispatcher } from './events/dispatch';
import { fetchStarkPublicKey, installStarkbankPatches } from './starkbank/sdkPatches';
import { createStarkUser } from './starkbank/user';
import { createTemporalClient } from './temporal/client';
import { cachedRetention } from './temporal/namespace';
import { searchAttributeProblem } from './temporal/provision';
import { InvoiceIdKey, PayoutStatusKey } from './temporal/searchAttributes';
import { logger } from './observability/logger';
import { createWebhookApp, WEBHOOK_PATH } from './webhook/app';
import { createSignatureVerifier } from './webhook/signature';
import { errorMessage } from './shared/errors';

export interface RunningWebhook {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Builds the webhook from config and starts listening. */
export async function startWebhook(config: Config): Promise<RunningWebhook> {
  const user = createStarkUser(config.stark);
  const client = createTemporalClient(config.temporal);
  await refuseMissingSearchAttributes(client);
  const verifier = createSignatureVerifier({ fetchPublicKey: () => fetchStarkPublicKey(user) });
  const app = createWebhookApp({
    verifier,
    dispatcher: createEventDispatcher({
      client,
      taskQueue: config.temporal.taskQueue,
      retentionMs: cachedRetention(client),
      workspaceId: config.stark.workspaceId,
    }),
    logger,
    maxBodyBytes: config.webhook.maxBodyBytes,
    checkReady: async () => {
      await verifier.warmUp();
      await client.connection.withDeadline(Date.now() + 2_000, () => client.workflowService.getSystemInfo({}));
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.webhook.port, config.webhook.host, () => resolve(s)).once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.webhook.host === '0.0.0.0' ? '127.0.0.1' : config.webhook.host;
  return {
    port,
    url: `http://${host}:${port}${WEBHOOK_PATH}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.connection.close();
    },
  };
}

/**
 * The webhook starts payouts with InvoiceId and PayoutStatus set: on a namespace without them every start would
 * fail, so it refuses to start, naming them. When Temporal is down at start it starts anyway (answering 503).
 */
async function refuseMissingSearchAttributes(client: Client): Promise<void> {
  const problem = await client.connection
    .withDeadline(Date.now() + 5_000, () => searchAttributeProblem(client, [InvoiceIdKey, PayoutStatusKey]))
    .catch((err: unknown) => {
      logger.warn({ err: errorMessage(err) }, 'webhook: cannot check the search attributes now (Temporal down?)');
      return undefined;
    });
  if (problem) throw new ConfigError(`Cannot start the webhook:\n  ${problem}`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  installStarkbankPatches(config.stark);
  const webhook = await startWebhook(config);
  logger.info({ url: webhook.url }, 'webhook listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'webhook shutting down');
      void webhook.close().then(() => process.exit(0));
    });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err: errorMessage(err) }, 'webhook failed to start');
    process.exit(1);
  });
}
