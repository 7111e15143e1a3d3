import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import { settingDefault } from '../config';
import type { ReconciliationReport, SweepReport } from '../workflows/activityTypes';
import { formatBRL } from '../domain/money';
import { hasDrift } from '../domain/reconciliation';
import { reconcilePayouts, sweepEvents } from '../workflows/recovery';
import { positiveInt } from './args';
import { emit, examples, formatFields, formatTable } from './output';
import { withTemporal } from './temporalFromEnv';

/** A sweep or a reconciliation reads every page of a few days of Stark Bank data: minutes, not seconds. */
const RUN_TIMEOUT_SECONDS = 600;

/** Runs the scheduled safety nets on demand, as workflows on the worker (visible in the Web UI), and prints the report. */
export function registerRecoveryCommands(program: Command): void {
  const recovery = program.command('recovery').description('the event sweep and the reconciliation, now');

  recovery
    .command('sweep')
    .description('feed every event Stark Bank could not deliver to the payouts, then mark it delivered')
    .addHelpText('after', examples('recovery sweep', 'recovery sweep --json --timeout 1800'))
    .action(async (_opts: unknown, cmd: Command) => {
      process.stderr.write('sweeping undelivered events…\n');
      const needs = { cmd, worker: 'the sweep runs on a worker', defaultTimeoutSeconds: RUN_TIMEOUT_SECONDS };
      const report = await withTemporal(needs, (client, cfg) =>
        client.workflow.execute(sweepEvents, {
          taskQueue: cfg.taskQueue,
          workflowId: `sweep-events-manual-${randomUUID()}`,
        }),
      );
      emit(cmd, report, renderSweep);
    });

  recovery
    .command('reconcile')
    .description('compare credited invoices with transfers, start missing payouts, report drift')
    .addOption(
      new Option('--lookback-days <n>', 'how far back to look')
        .env('RECONCILE_LOOKBACK_DAYS')
        .argParser(positiveInt)
        .default(settingDefault('RECONCILE_LOOKBACK_DAYS')),
    )
    .addHelpText('after', examples('recovery reconcile', 'recovery reconcile --lookback-days 1 --json'))
    .action(async ({ lookbackDays }: { lookbackDays: number }, cmd: Command) => {
      process.stderr.write(`reconciling the last ${lookbackDays} days…\n`);
      const needs = { cmd, worker: 'the reconciliation runs on a worker', defaultTimeoutSeconds: RUN_TIMEOUT_SECONDS };
      const report = await withTemporal(needs, (client, cfg) =>
        client.workflow.execute(reconcilePayouts, {
          taskQueue: cfg.taskQueue,
          workflowId: `reconcile-payouts-manual-${randomUUID()}`,
          args: [{ lookbackDays }],
        }),
      );
      emit(cmd, report, renderReconciliation);
    });
}

function renderSweep(r: SweepReport): string {
  const outcomes = Object.entries(r.outcomes).map(([outcome, count]) => ({ outcome, count: String(count) }));
  return [
    formatFields([
      ['undelivered events', String(r.undelivered)],
      ['marked delivered', String(r.markedDelivered)],
    ]),
    formatTable(outcomes, [
      { header: 'outcome', value: (o) => o.outcome },
      { header: 'events', value: (o) => o.count },
    ]),
  ].join('\n\n');
}

export function renderReconciliation(r: ReconciliationReport): string {
  return [
    formatFields([
      ['since', r.since],
      ['credited invoices', String(r.credited)],
      ['reversed invoices', String(r.reversed)],
      ['payout transfers', String(r.transfers)],
      ['credited, net of fees', formatBRL(r.creditedNetCents)],
      ['reversed before payout', formatBRL(r.reversedBeforePayoutCents)],
      ['sent', formatBRL(r.sentCents)],
      ['sent without a credit', String(r.sentWithoutCredit.length)],
      ['amount mismatches', String(r.amountMismatches.length)],
      ['duplicates', String(r.duplicates.length)],
      ['verdict', hasDrift(r) ? 'DRIFT' : 'clean'],
      ['reversal loss', `${r.reversalLosses.length} (${formatBRL(r.reversalLossCents)} lost)`],
    ]),
    r.unpaid.length === 0
      ? 'every credited invoice has its transfer'
      : formatTable(r.unpaid, [
          { header: 'unpaid invoice', value: (u) => u.invoiceId },
          { header: 'action', value: (u) => u.action },
        ]),
    ...(r.reversalLosses.length === 0
      ? []
      : [
          formatTable(r.reversalLosses, [
            { header: 'reversal loss', value: (x) => x.invoiceId },
            { header: 'transfer', value: (x) => x.transferId },
            { header: 'sent', value: (x) => formatBRL(x.sentCents), align: 'right' },
            { header: 'owed now', value: (x) => formatBRL(x.owedCents), align: 'right' },
            { header: 'lost', value: (x) => formatBRL(x.lossCents), align: 'right' },
            { header: 'case', value: (x) => x.action },
          ]),
        ]),
  ].join('\n\n');
}
