import { loadConfig, type Config } from './config';
import { ensureWebhookSubscription } from './starkbank/webhookSubscription';
import { ensureInvoiceSchedule } from './schedules/invoiceSchedule';
import { ensureRecoverySchedules } from './schedules/recoverySchedules';
import type { EnsureOutcome } from './schedules/ensureSchedule';
import { logger } from './observability/logger';
import { installStarkbankPatches } from './starkbank/sdkPatches';
import { createStarkUser } from './starkbank/user';
import { createTemporalClient } from './temporal/client';
import { provisionNamespace, type ProvisionOutcome } from './temporal/provision';
import { errorMessage } from './shared/errors';

export interface SetupOutcome {
  namespace: ProvisionOutcome;
  webhook: 'created' | 'exists' | 'skipped';
  schedules: Record<string, EnsureOutcome>;
}

/**
 * One-shot set-up for deployed stacks (docker-compose's `setup` service): registers WEBHOOK_PUBLIC_URL with Stark
 * Bank (or the emulator) for invoice and transfer events and creates or reconciles the issuance and recovery
 * schedules. Idempotent: running it again changes nothing unless the configuration changed.
 */
export async function runSetup(config: Config): Promise<SetupOutcome> {
  let webhook: SetupOutcome['webhook'] = 'skipped';
  if (config.webhook.publicUrl) {
    webhook = await ensureWebhookSubscription(createStarkUser(config.stark), config.webhook.publicUrl);
  } else {
    logger.warn('WEBHOOK_PUBLIC_URL is not set: no webhook registered, Stark Bank events reach nobody');
  }
  const client = createTemporalClient(config.temporal);
  try {
    const { taskQueue } = config.temporal;
    const namespace = await provisionNamespace(client, { taskQueue, retentionDays: config.namespaceRetentionDays });
    const schedules = {
      [config.issuance.scheduleId]: await ensureInvoiceSchedule(client, config.issuance, taskQueue),
      ...(await ensureRecoverySchedules(client, config.recovery, taskQueue)),
    };
    return { namespace, webhook, schedules };
  } finally {
    await client.connection.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  installStarkbankPatches(config.stark);
  const outcome = await runSetup(config);
  logger.info({ ...outcome, webhookUrl: config.webhook.publicUrl }, 'setup done');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err: errorMessage(err) }, 'setup failed');
    process.exit(1);
  });
}
