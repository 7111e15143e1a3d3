import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import { ConfigError, loadSections, type ConfigOf } from './config';
import { createEventDispatcher } from './events/dispatch';
import { fetchStarkPublicKey, installStarkbankPatches } from './starkbank/sdkPatches';
import { createStarkUser } from './starkbank/user';
import { createTemporalClient } from './temporal/client';
import { cachedRetention } from './temporal/namespace';
import { payloadKeyProblem, searchAttributeProblem } from './temporal/startupGuards';
import { pauseSwitchWorkflowId } from './workflows/pauseSwitchDefinitions';
import { InvoiceIdKey, PayoutStatusKey } from './temporal/searchAttributes';
import { logger } from './observability/logger';
import { installTracing } from './observability/tracing';
import { registerPayoutGauges } from './gauges/payoutGauges';
import { startAdminServer } from './observability/adminServer';
import { startCodecServer } from './temporal/codecServer';
import { createWebhookApp, WEBHOOK_PATH } from './webhook/app';
import { createSignatureVerifier } from './webhook/signature';
import { errorMessage } from './shared/errors';

export interface RunningWebhook {
  port: number;
  url: string;
  /** Metrics and readiness (not on the public port). */
  adminUrl: string;
  /** The codec server, on a port of its own, when configured. */
  codecUrl?: string;
  close(): Promise<void>;
}

/** The configuration the webhook reads: no payout, issuance or recovery settings. */
// payouts: the daily maximum and its day, for the gauges this process may serve (PAYOUT_GAUGES).
export const WEBHOOK_SECTIONS = ['temporal', 'stark', 'payouts', 'admin', 'webhook'] as const;
export type WebhookConfig = ConfigOf<(typeof WEBHOOK_SECTIONS)[number]>;

/** Builds the webhook from config and starts listening. */
export async function startWebhook(config: WebhookConfig): Promise<RunningWebhook> {
  const user = createStarkUser(config.stark);
  const client = createTemporalClient(config.temporal);
  await refuseWrongNamespace(client, config.temporal.taskQueue);
  let draining = false;
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
  });
  const admin = await startAdminServer({
    host: config.admin.host,
    port: config.admin.port,
    // Temporal is not a readiness dependency: a short outage answers 503 per request (Stark Bank delivers again)
    // while every replica stays in the pool. Readiness fails while the key is unknown or the process drains.
    checkReady: async () => {
      const key = await verifier.warmUp().then(
        () => true,
        () => false,
      );
      return [...(key ? [] : ['stark-bank-public-key']), ...(draining ? ['shutting-down'] : [])];
    },
  });
  const codec = await startCodecServer(config, logger);
  const server = http.createServer((req, res) => {
    // While draining, each answer closes its connection, so keep-alive clients reconnect to another replica.
    if (draining) res.shouldKeepAlive = false;
    app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(config.webhook.port, config.webhook.host, () => resolve());
  });
  // Idle connections outlive a load balancer's idle timeout, so the balancer closes them first (no reused-socket 502s).
  server.keepAliveTimeout = msToNumber(config.webhook.keepAliveTimeout);
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  const { port } = server.address() as AddressInfo;
  const host = config.webhook.host === '0.0.0.0' ? '127.0.0.1' : config.webhook.host;
  return {
    port,
    url: `http://${host}:${port}${WEBHOOK_PATH}`,
    adminUrl: admin.url,
    codecUrl: codec?.url,
    async close() {
      // Drain: readiness fails first and the webhook keeps serving until the balancer has stopped sending, then it
      // stops accepting and lets in-flight requests finish (server.close waits for them; idle sockets close now).
      draining = true;
      await new Promise((resolve) => setTimeout(resolve, msToNumber(config.webhook.drainTime)));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await admin.close();
      await codec?.close();
      await client.connection.close();
    },
  };
}

/**
 * The webhook starts payouts with InvoiceId and PayoutStatus set, and encrypts what it sends: on a namespace
 * without those attributes, or with keys that do not read the deployment's payloads, every start would fail, so
 * it refuses to start, saying why. When Temporal is down at start it starts anyway (answering 503).
 */
async function refuseWrongNamespace(client: Client, taskQueue: string): Promise<void> {
  const problems = await client.connection
    .withDeadline(Date.now() + 5_000, async () => [
      await searchAttributeProblem(client, [InvoiceIdKey, PayoutStatusKey]),
      await payloadKeyProblem(client, pauseSwitchWorkflowId(taskQueue)),
    ])
    .catch((err: unknown) => {
      logger.warn({ err: errorMessage(err) }, 'webhook: cannot check the namespace now (Temporal down?)');
      return [];
    });
  const found = problems.filter((p) => p !== undefined);
  if (found.length > 0) throw new ConfigError(`Cannot start the webhook:\n  ${found.join('\n  ')}`);
}

async function main(): Promise<void> {
  const config = loadSections(WEBHOOK_SECTIONS);
  const tracing = installTracing(config.tracing, 'starkbank-payouts-webhook');
  installStarkbankPatches(config.stark);
  const webhook = await startWebhook(config);
  if (config.admin.payoutGauges)
    registerPayoutGauges(createTemporalClient(config.temporal), config.temporal.taskQueue, {
      pauseAlertAfter: config.admin.pauseAlertAfter,
      budget: { dailyMaxCents: config.guardrails.dailyMaxCents, timeZone: config.payoutDayTimeZone },
    });
  logger.info({ url: webhook.url, adminUrl: webhook.adminUrl, codecUrl: webhook.codecUrl }, 'webhook listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'webhook shutting down');
      void webhook
        .close()
        .then(() => tracing.shutdown())
        .then(() => process.exit(0));
    });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err: errorMessage(err) }, 'webhook failed to start');
    process.exit(1);
  });
}
