import { loadConfig, type Config } from './config';
import { ensureWebhookSubscription } from './starkbank/webhookSubscription';
import { ensureInvoiceSchedule } from './schedules/invoiceSchedule';
import { ensureRecoverySchedules } from './schedules/recoverySchedules';
import type { EnsureOutcome } from './schedules/ensureSchedule';
import { logger } from './observability/logger';
import { installStarkbankPatches } from './starkbank/sdkPatches';
import { createStarkUser } from './starkbank/user';
import { createTemporalClient } from './temporal/client';
import { provisionDeployment, type ProvisionReport } from './setup/provisionDeployment';
import { errorMessage } from './shared/errors';

export interface SetupOutcome {
  namespace: ProvisionReport;
  webhook: 'created' | 'exists' | 'skipped';
  schedules: Record<string, EnsureOutcome>;
}

/**
 * Provisions and checks everything the product needs, idempotently: the Temporal namespace (its retention, the
 * search attributes, the pause switch; on Temporal Cloud, what to create is printed instead), the Stark Bank
 * webhook subscription for WEBHOOK_PUBLIC_URL, and the issuance and recovery schedules. Run by `npm run dev`, by
 * `npm run ops -- setup`, and by docker-compose's `setup` service; running it again changes nothing unless the
 * configuration changed.
 */
export async function runSetup(config: Config): Promise<SetupOutcome> {
  const client = createTemporalClient(config.temporal);
  try {
    const { taskQueue } = config.temporal;
    const namespace = await provisionDeployment(client, { taskQueue, retentionDays: config.namespaceRetentionDays });
    let webhook: SetupOutcome['webhook'] = 'skipped';
    if (config.webhook.publicUrl) {
      webhook = await ensureWebhookSubscription(createStarkUser(config.stark), config.webhook.publicUrl);
    } else {
      logger.warn('WEBHOOK_PUBLIC_URL is not set: no webhook registered, Stark Bank events reach nobody');
    }
    // Schedules start workflows that write search attributes: not before the namespace has them.
    const schedules =
      namespace.manual.length > 0
        ? {}
        : {
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
  if (outcome.namespace.manual.length > 0) {
    logger.error({ ...outcome }, 'setup incomplete: create what the manual steps name, then run setup again');
    process.exitCode = 1;
    return;
  }
  logger.info({ ...outcome, webhookUrl: config.webhook.publicUrl }, 'setup done');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    logger.fatal({ err: errorMessage(err) }, 'setup failed');
    process.exit(1);
  });
}
