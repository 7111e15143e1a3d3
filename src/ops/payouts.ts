// The `ops payouts` commands: their arguments, options and help, wired to the reads and the renderers.
import type { Command } from 'commander';
import { pauseStatus, setPayoutsPaused } from '../decisions/pauseSwitch';
import { decide, DecisionRefusedError } from '../decisions/operatorDecisions';
import { OPERATOR_ACTIONS, type OperatorAction } from '../workflows/decisionRecordDefinitions';
import { PAYOUT_STATUSES, type PayoutStatus } from '../workflows/payoutDefinitions';
import { invoiceId, oneOf, operator, positiveInt } from './args';
import { CliError, emit, examples, wantsJson } from './output';
import { withTemporal } from './temporalFromEnv';
import { listPayouts, needingAPerson, showPayout } from './payoutReads';
import {
  pauseLine,
  renderAttention,
  renderDecision,
  renderList,
  renderPauseStatus,
  renderShown,
  switchSetBy,
} from './payoutRender';

interface DecisionOptions {
  operator: string;
  note?: string;
}

const DESCRIPTIONS: Record<OperatorAction, string> = {
  approve: 'send a payout that waits for approval',
  reject: 'never pay an invoice: a waiting payout ends, a closed or missing one is never started again',
  retry: 'run again the step a payout waits on (a failed transfer is retried under a new externalId)',
  restart: 'start again the payout of an invoice whose payout closed without paying, or is gone',
  acknowledge: 'close a case about money that left: a reversal loss, or a transfer sent despite a rejection',
};

const NOTES: Record<OperatorAction, string> = {
  approve: 'known payer',
  reject: 'duplicate invoice',
  retry: 'bank fixed the account',
  restart: 'terminated by mistake',
  acknowledge: 'payer reversal loss; written off',
};

export function registerPayoutCommands(program: Command): void {
  const payouts = program
    .command('payouts')
    .description('find payouts, decide on those that wait for a person, pause all payouts');

  payouts
    .command('list')
    .description('payouts newest first, from Temporal visibility (lags writes by a moment)')
    .option('--status <status>', `only payouts in this status (${PAYOUT_STATUSES.join(', ')})`, oneOf(PAYOUT_STATUSES))
    .option('--limit <n>', 'at most this many rows', positiveInt, 50)
    .addHelpText('after', examples('payouts list', 'payouts list --status AwaitingApproval --limit 10 --json'))
    .action(async (opts: { status?: PayoutStatus; limit: number }, cmd: Command) => {
      // Search attributes only: no codec server, no keys.
      const rows = await withTemporal({ cmd, payloads: false }, (client) =>
        listPayouts(client, opts.status, opts.limit),
      );
      emit(cmd, rows, renderList);
    });

  payouts
    .command('show')
    .description("a payout's state: status, reasons, amounts, transfer attempts, decisions (closed ones too)")
    .argument('<invoiceId>', 'the credited invoice', invoiceId)
    .addHelpText('after', examples('payouts show 5155165527080960', 'payouts show 5155165527080960 --json'))
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const shown = await withTemporal({ cmd }, (client) => showPayout(client, id));
      emit(cmd, shown, renderShown);
    });

  for (const action of OPERATOR_ACTIONS) {
    payouts
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('<invoiceId>', 'the credited invoice', invoiceId)
      .requiredOption('--operator <name>', 'who decides (recorded beyond the payout)', operator)
      .option('--note <text>', 'why')
      .addHelpText('after', examples(`payouts ${action} 5155165527080960 --operator ana --note "${NOTES[action]}"`))
      .action(async (id: string, opts: DecisionOptions, cmd: Command) => {
        const needs = { cmd, worker: 'decisions are recorded by workflows a worker runs' };
        const result = await withTemporal(needs, async (client, cfg) => {
          const decided = await decide(client, cfg.taskQueue, action, id, {
            operator: opts.operator,
            note: opts.note,
          }).catch((err: unknown) => {
            if (err instanceof DecisionRefusedError) throw new CliError(`${action} refused: ${err.message}`);
            throw err;
          });
          // What sends money waits while payouts are paused: say so, rather than let the payout sit silently.
          const sends = action === 'approve' || action === 'retry' || action === 'restart';
          const pause = sends ? await pauseStatus(client, cfg.taskQueue) : undefined;
          return { ...decided, ...(pause?.paused && { waitsForResume: pauseLine(pause) }) };
        });
        emit(cmd, result, (r) => renderDecision(action, id, r));
      });
  }

  payouts
    .command('attention')
    .description('what waits for a person: payouts waiting for a decision, and invoices with an open case')
    .addHelpText('after', examples('payouts attention', 'payouts attention --json'))
    .action(async (_opts: unknown, cmd: Command) => {
      const found = await withTemporal({ cmd }, async (client, cfg) => ({
        pause: await pauseStatus(client, cfg.taskQueue),
        waiting: await needingAPerson(client, cfg.taskQueue),
      }));
      // JSON stays the list of rows scripts read; `payouts status --json` has the switch.
      if (wantsJson(cmd)) emit(cmd, found.waiting, () => '');
      else emit(cmd, found, renderAttention);
    });

  payouts
    .command('status')
    .description('whether payouts are paused: the switch, who set it, since when and why')
    .addHelpText('after', examples('payouts status', 'payouts status --json'))
    .action(async (_opts: unknown, cmd: Command) => {
      // Read from the switch's memo: no worker, no keys.
      const status = await withTemporal({ cmd, payloads: false }, (client, cfg) => pauseStatus(client, cfg.taskQueue));
      emit(cmd, status, renderPauseStatus);
    });

  for (const paused of [true, false]) {
    payouts
      .command(paused ? 'pause' : 'resume')
      .description(paused ? 'stop every payout before it sends a transfer' : 'let paused payouts send again')
      .requiredOption('--operator <name>', 'who flips the switch', operator)
      .option('--note <text>', 'why')
      .addHelpText(
        'after',
        examples(
          `payouts ${paused ? 'pause' : 'resume'} --operator ana --note "${paused ? 'bank incident' : 'resolved'}"`,
        ),
      )
      .action(async (opts: DecisionOptions, cmd: Command) => {
        const needs = { cmd, worker: 'the pause switch is a workflow a worker runs' };
        const { before, woken } = await withTemporal(needs, async (client, cfg) => {
          // Read first, so that flipping the switch to where it already is says who put it there.
          const before = await pauseStatus(client, cfg.taskQueue);
          const change = { paused, operator: opts.operator, note: opts.note };
          return { before, woken: await setPayoutsPaused(client, cfg.taskQueue, change) };
        });
        const already = before.paused === paused && before.by ? before : undefined;
        emit(cmd, { paused, operator: opts.operator, note: opts.note, woken, already }, (r) => {
          const was = r.already && ` (already ${paused ? 'paused' : 'running'}: ${switchSetBy(r.already)})`;
          return r.paused
            ? `Payouts paused by ${r.operator}${was ?? ''}.`
            : `Payouts resumed by ${r.operator}${was ?? ''}; woke ${r.woken} paused payout${r.woken === 1 ? '' : 's'}.`;
        });
      });
  }
}
