import {
  ScheduleNotFoundError,
  WorkflowNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { loadSections, settingDefault } from '../config';
import { recordScheduleAction } from '../decisions/pauseSwitch';
import { formatBRL } from '../domain/money';
import { ensureInvoiceSchedule } from '../schedules/invoiceSchedule';
import { errorMessage } from '../shared/errors';
import { operator } from './args';
import { CliError, emit, examples, formatFields, formatTable, formatTime, wantsJson } from './output';
import { withTemporal } from './temporalFromEnv';

interface RunSummary {
  workflowId: string;
  scheduledAt: string;
  status: string;
  invoices?: number;
  totalCents?: number;
}

interface ScheduleStatus {
  scheduleId: string;
  interval?: string;
  overlap: string;
  paused: boolean;
  note?: string;
  remainingActions?: number;
  actionsTaken: number;
  nextRuns: string[];
  recentRuns: RunSummary[];
}

// A run's result crosses from workflow history into the CLI: checked, not trusted.
const issuanceResultSchema = z.object({ count: z.number().int(), totalCents: z.number().int() });
const RECENT_RUNS = 5;

/** Runs started, skipped because one was running, or waiting for it: any of them means a trigger was taken. */
const actionsDecided = (d: ScheduleDescription) =>
  d.info.numActionsTaken + d.info.numActionsSkippedOverlap + Number(d.raw.info?.bufferSize ?? 0);

/**
 * The server keeps one pending change per schedule, so a pause, resume or trigger that reaches it in the same
 * instant as another can be dropped without an error. Each command therefore waits until describe shows its
 * effect, sending an idempotent change (pause, resume) again; a trigger is never re-sent, as that could start two
 * runs, so a lost one is reported instead.
 */
async function untilLanded(
  handle: ScheduleHandle,
  landed: (d: ScheduleDescription) => boolean,
  resend?: () => Promise<void>,
): Promise<void> {
  for (let check = 1; check <= 40; check++) {
    if (landed(await handle.describe())) return;
    if (resend && check % 2 === 0) await resend();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CliError(
    `schedule ${handle.scheduleId} did not take the change (another change may have replaced it); ` +
      'see "schedule status" and run the command again',
  );
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('the Temporal Schedule that issues invoices')
    .addOption(
      new Option('--id <scheduleId>', 'schedule id')
        .env('ISSUANCE_SCHEDULE_ID')
        .default(settingDefault('ISSUANCE_SCHEDULE_ID')),
    );
  const idOf = (cmd: Command) => cmd.optsWithGlobals<{ id: string }>().id;

  schedule
    .command('status')
    .description('interval, pause state, next run times and recent runs with their results')
    .addHelpText('after', examples('schedule status', 'schedule status --json'))
    .action(async (_opts: unknown, cmd: Command) => {
      const status = await withTemporal({ cmd }, (client) => describeSchedule(client, idOf(cmd)));
      emit(cmd, status, renderStatus);
    });

  for (const paused of [true, false]) {
    schedule
      .command(paused ? 'pause' : 'resume')
      .description(paused ? 'stop issuing invoices until resumed' : 'issue invoices on the interval again')
      .requiredOption('--operator <name>', 'who acts (recorded in the audit trail)', operator)
      .option('--note <text>', 'why (shown by status and audit)')
      .addHelpText(
        'after',
        examples(
          `schedule ${paused ? 'pause' : 'resume'} --operator ana --note "${paused ? 'bank holiday' : 'back to normal'}"`,
        ),
      )
      .action(async (opts: ScheduleActionOptions, cmd: Command) => {
        const scheduleId = idOf(cmd);
        // The Schedule's own note shows who, in the Web UI too; the audit trail keeps every change.
        const note = `${opts.operator}: ${opts.note ?? `${paused ? 'paused' : 'resumed'} from the ops CLI`}`;
        await withTemporal({ cmd, worker: RECORDED_ON_A_WORKER }, (client, cfg) =>
          explainMissing(scheduleId, async () => {
            const handle = client.schedule.getHandle(scheduleId);
            const send = () => (paused ? handle.pause(note) : handle.unpause(note));
            await send();
            await untilLanded(handle, (d) => d.state.paused === paused, send);
            await recorded(paused ? 'paused' : 'resumed', () =>
              recordScheduleAction(client, cfg.taskQueue, {
                action: paused ? 'pause' : 'resume',
                scheduleId,
                operator: opts.operator,
                note: opts.note,
              }),
            );
          }),
        );
        emit(
          cmd,
          { scheduleId, paused, operator: opts.operator, note: opts.note },
          (r) =>
            `Schedule ${r.scheduleId} ${r.paused ? 'paused' : 'resumed'} by ${r.operator}${r.note ? `: ${r.note}` : '.'}`,
        );
      });
  }

  schedule
    .command('trigger')
    .description('start one issuance run now (also while paused, with a warning; the schedule stays paused)')
    .requiredOption('--operator <name>', 'who acts (recorded in the audit trail)', operator)
    .option('--note <text>', 'why (shown by audit)')
    .addHelpText('after', examples('schedule trigger --operator ana --note "catch up after the outage"'))
    .action(async (opts: ScheduleActionOptions, cmd: Command) => {
      const scheduleId = idOf(cmd);
      const { overlap, paused } = await withTemporal({ cmd, worker: RECORDED_ON_A_WORKER }, (client, cfg) =>
        explainMissing(scheduleId, async () => {
          const handle = client.schedule.getHandle(scheduleId);
          // Honour the schedule's own overlap policy: a manual run must not issue a second batch alongside a
          // run still in progress when the schedule was set up to skip.
          const before = await handle.describe();
          await handle.trigger(before.policies.overlap);
          await untilLanded(handle, (d) => actionsDecided(d) > actionsDecided(before));
          await recorded('triggered', () =>
            recordScheduleAction(client, cfg.taskQueue, {
              action: 'trigger',
              scheduleId,
              operator: opts.operator,
              note: opts.note,
              ...(before.state.paused && { schedulePaused: true }),
            }),
          );
          return {
            overlap: before.policies.overlap,
            paused: before.state.paused ? before.state.note || '-' : undefined,
          };
        }),
      );
      // Still triggered: one run by hand during a pause is a deliberate act (a catch-up, a check), but an operator
      // who forgot the pause must hear that the interval runs stay stopped.
      if (paused !== undefined) {
        const warning =
          `schedule ${scheduleId} is paused (${paused}); this run starts anyway and the schedule stays paused ` +
          'until "schedule resume"';
        // On stderr, as errors are (JSON with --json): stdout stays the result alone.
        process.stderr.write(`${wantsJson(cmd) ? JSON.stringify({ warning }) : `warning: ${warning}`}\n`);
      }
      emit(
        cmd,
        {
          scheduleId,
          triggered: true,
          overlap,
          operator: opts.operator,
          ...(paused !== undefined && { schedulePaused: true }),
        },
        (r) => `Triggered schedule ${r.scheduleId} (overlap ${r.overlap}) by ${r.operator}.`,
      );
    });

  schedule
    .command('ensure')
    .description(
      'create the schedule, or update it to the configured settings (needs the Temporal and issuance settings)',
    )
    .addHelpText('after', examples('schedule ensure', 'schedule --id issue-invoices-test ensure'))
    .action(async (_opts: unknown, cmd: Command) => {
      const config = loadSections(['temporal', 'issuance']);
      const issuance = { ...config.issuance, scheduleId: idOf(cmd) };
      const outcome = await withTemporal({ cmd, temporal: config.temporal }, (client) =>
        ensureInvoiceSchedule(client, issuance, config.temporal.taskQueue),
      );
      emit(
        cmd,
        { scheduleId: issuance.scheduleId, outcome, interval: issuance.interval },
        (r) => `Schedule ${r.scheduleId} ${r.outcome} (every ${r.interval}).`,
      );
    });
}

async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleStatus> {
  const d = await explainMissing(scheduleId, () => client.schedule.getHandle(scheduleId).describe());
  const every = d.spec.intervals?.[0]?.every;
  return {
    scheduleId,
    interval: every === undefined ? undefined : formatDuration(every),
    overlap: d.policies.overlap ?? 'SKIP',
    paused: d.state.paused,
    note: d.state.note || undefined,
    remainingActions: d.state.remainingActions,
    actionsTaken: d.info.numActionsTaken,
    nextRuns: d.info.nextActionTimes.map((t) => formatTime(t)),
    recentRuns: await Promise.all(recentRuns(d).map((a) => summarizeRun(client, a))),
  };
}

function recentRuns(d: ScheduleDescription) {
  return d.info.recentActions.slice(-RECENT_RUNS).reverse();
}

async function summarizeRun(
  client: Client,
  run: ScheduleDescription['info']['recentActions'][number],
): Promise<RunSummary> {
  const { workflowId, firstExecutionRunId } = run.action.workflow;
  const summary: RunSummary = { workflowId, scheduledAt: formatTime(run.scheduledAt), status: 'UNKNOWN' };
  try {
    const handle = client.workflow.getHandle(workflowId, firstExecutionRunId);
    summary.status = (await handle.describe()).status.name;
    if (summary.status === 'COMPLETED') {
      const result = issuanceResultSchema.safeParse(await handle.result());
      if (result.success) Object.assign(summary, { invoices: result.data.count, totalCents: result.data.totalCents });
    }
  } catch (err) {
    // Runs older than the namespace's retention are gone; the rest of the status is still worth showing.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  return summary;
}

interface ScheduleActionOptions {
  operator: string;
  note?: string;
}

const RECORDED_ON_A_WORKER = 'the audit trail records schedule actions on a worker';

/** Records a schedule action that already took effect; when that fails, says so rather than hide either half. */
async function recorded(done: string, record: () => Promise<void>): Promise<void> {
  try {
    await record();
  } catch (err) {
    throw new CliError(
      `the schedule was ${done}, but the audit trail did not record it (${errorMessage(err)}); ` +
        (done === 'triggered'
          ? 'the run started: do not trigger again to record it'
          : 'run the same command again to record it (it changes nothing twice)'),
    );
  }
}

async function explainMissing<T>(scheduleId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      throw new CliError(`no schedule ${scheduleId} (create it with "schedule ensure")`);
    }
    throw err;
  }
}

function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const unit = units.find(([, size]) => ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

function renderStatus(s: ScheduleStatus): string {
  const fields = formatFields([
    ['Schedule', s.scheduleId],
    ['Every', s.interval],
    ['Overlap', s.overlap],
    ['Paused', s.paused ? 'yes' : 'no'],
    ['Note', s.note],
    ['Runs taken', String(s.actionsTaken)],
    ['Runs left', s.remainingActions === undefined ? 'unlimited' : String(s.remainingActions)],
    ['Next runs', s.nextRuns.length > 0 ? s.nextRuns.join(', ') : 'none'],
  ]);
  if (s.recentRuns.length === 0) return `${fields}\n\nNo runs yet.`;
  const runs = formatTable(s.recentRuns, [
    { header: 'SCHEDULED', value: (r) => r.scheduledAt },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'INVOICES', value: (r) => (r.invoices === undefined ? '-' : String(r.invoices)), align: 'right' },
    { header: 'TOTAL', value: (r) => (r.totalCents === undefined ? '-' : formatBRL(r.totalCents)), align: 'right' },
    { header: 'WORKFLOW', value: (r) => r.workflowId },
  ]);
  return `${fields}\n\nRecent runs:\n${runs}`;
}
