import type { Command } from 'commander';
import { listAudit, type AuditEntry } from '../decisions/audit';
import { invoiceId, positiveInt } from './args';
import { emit, examples, formatTable } from './output';
import { withTemporal } from './temporalFromEnv';

export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('every operator action, newest first: decisions on payouts, pause switch changes and schedule actions')
    .option('--invoice <invoiceId>', 'only the decisions on this invoice', invoiceId)
    .option('--limit <n>', 'at most this many rows', positiveInt, 100)
    .addHelpText('after', examples('audit', 'audit --invoice 5155165527080960 --json'))
    .action(async (opts: { invoice?: string; limit: number }, cmd: Command) => {
      const entries = await withTemporal({ cmd }, (client, cfg) =>
        listAudit(client, cfg.taskQueue, { invoiceId: opts.invoice, limit: opts.limit }),
      );
      emit(cmd, entries, renderAudit);
    });
}

function renderAudit(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'No operator action recorded.';
  return formatTable(entries, [
    { header: 'AT', value: (e) => e.at },
    { header: 'ACTION', value: (e) => (e.scheduleId ? `${e.action} ${e.scheduleId}` : e.action) },
    { header: 'OPERATOR', value: (e) => e.operator },
    { header: 'CALLER', value: (e) => e.caller ?? '-' },
    { header: 'INVOICE', value: (e) => e.invoiceId ?? '-' },
    { header: 'PAYOUT WAS', value: (e) => e.payoutStatus ?? '-' },
    { header: 'NOTE', value: (e) => e.note ?? '-' },
  ]);
}
