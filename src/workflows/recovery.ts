import { log, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from './activityTypes';
import type { ReconciliationReport, SweepReport } from './activityTypes';
import { hasDrift } from '../domain/reconciliation';
import { formatBRL } from '../domain/money';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 10 },
});

/** Scheduled (every 15 min): feeds events Stark Bank could not deliver to the payouts, then marks them delivered. */
export async function sweepEvents(): Promise<SweepReport> {
  const report = await acts.sweepUndeliveredEvents();
  setCurrentDetails(`${report.undelivered} undelivered events, ${report.markedDelivered} recovered`);
  log.info('undelivered events swept', { ...report });
  return report;
}

/**
 * Scheduled (hourly): compares credited invoices, net of reversals, with transfers; starts missing payouts, reports
 * drift, and opens a case for each reversal loss.
 */
export async function reconcilePayouts(input: { lookbackDays: number }): Promise<ReconciliationReport> {
  const report = await acts.reconcilePayouts(input);
  const summary =
    `credited ${formatBRL(report.creditedNetCents)}, reversed before payout ` +
    `${formatBRL(report.reversedBeforePayoutCents)}, sent ${formatBRL(report.sentCents)}, ` +
    `${report.unpaid.length} unpaid, ${report.sentWithoutCredit.length} sent without credit, ` +
    `${report.amountMismatches.length} amount mismatches, ${report.duplicates.length} duplicates, ` +
    `${report.reversalLosses.length} reversal loss (${formatBRL(report.reversalLossCents)})`;
  setCurrentDetails(summary);
  if (hasDrift(report)) log.warn('reconciliation drift', { summary });
  else log.info('reconciliation clean', { summary });
  return report;
}
