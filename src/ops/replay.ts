import type { Client } from '@temporalio/client';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import type { Command } from 'commander';
import type { OpsTemporalConfig } from '../config';
import { installTracing, tracingPlugin, workflowInterceptorModules } from '../observability/tracing';
import { stderrErrorLogger } from '../observability/logger';
import { installTemporalRuntime } from '../temporal/runtime';
import { createDataConverter } from '../temporal/client';
import { durationMs, positiveInt } from './args';
import { CliError, emit, examples, formatFields, formatTable } from './output';
import { withTemporal } from './temporalFromEnv';
import { deploymentQueuesFilter } from '../temporal/taskQueues';

interface ReplayOptions {
  since: number;
  limit: number;
  workflows?: string;
  bundle?: string;
}

interface ReplayReport {
  workflowCode: string;
  replayed: number;
  running: number;
  incompatible: { workflowId: string; runId: string; workflowType: string; error: string }[];
}

/**
 * `ops replay`: the check before every deploy. Downloads the histories of this deployment's running workflows
 * (and those closed recently, which an operator may still restart or reset) and replays them against the workflow
 * code of this build, or of a candidate: any change that would break a running payout fails it.
 */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description("replay running and recently closed workflows against this build's workflow code (before a deploy)")
    .option('--since <duration>', 'also workflows closed within this long', durationMs, durationMs('7d'))
    .option('--limit <n>', 'at most this many histories, newest first', positiveInt, 2_000)
    .option('--bundle <file>', 'replay against this prebuilt workflow bundle (npm run build:bundle) instead')
    .option('--workflows <module>', 'replay against this workflows module instead (a candidate checkout)')
    .addHelpText(
      'after',
      examples('replay', 'replay --since 1d --json', 'replay --bundle /srv/next-release/lib/workflow-bundle.js'),
    )
    .action(async (opts: ReplayOptions, cmd: Command) => {
      const report = await withTemporal({ cmd, defaultTimeoutSeconds: 1_800 }, (client, cfg) =>
        replayDeployment(client, cfg, opts),
      );
      emit(cmd, report, renderReplay);
      if (report.incompatible.length > 0) {
        throw new CliError(
          `${report.incompatible.length} of ${report.replayed} histories do not replay with ${report.workflowCode}: ` +
            'deploying it would break them (see docs/testing.md, workflow versioning)',
        );
      }
    });
}

async function replayDeployment(client: Client, cfg: OpsTemporalConfig, opts: ReplayOptions): Promise<ReplayReport> {
  const since = new Date(Date.now() - opts.since).toISOString();
  const query = `${deploymentQueuesFilter(cfg.taskQueue)} AND (ExecutionStatus="Running" OR CloseTime > "${since}")`;
  const executions: { workflowId: string; runId: string; workflowType: string; running: boolean }[] = [];
  for await (const w of client.workflow.list({ query })) {
    executions.push({
      workflowId: w.workflowId,
      runId: w.runId,
      workflowType: w.type,
      running: w.status.name === 'RUNNING',
    });
    if (executions.length >= opts.limit) break;
  }
  const code = workflowCode(opts);
  const incompatible = await replayExecutions(client, cfg, executions, code);
  const replayed = executions.length;
  return {
    workflowCode: code.label,
    replayed,
    running: executions.filter((e) => e.running).length,
    incompatible,
  };
}

export interface Execution {
  workflowId: string;
  runId: string;
  workflowType: string;
}

/** Replays each execution's history against `code`; the ones that do not replay, with the first line of why. */
export async function replayExecutions(
  client: Client,
  cfg: OpsTemporalConfig,
  executions: readonly Execution[],
  code: WorkflowCode,
): Promise<ReplayReport['incompatible']> {
  // The replayer's own logs (a non-determinism is a warning there) would drown the report: errors only.
  installTemporalRuntime(stderrErrorLogger());
  const histories = (async function* () {
    for (const e of executions) {
      yield {
        workflowId: e.workflowId,
        history: await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory(),
      };
    }
  })();
  const incompatible: ReplayReport['incompatible'] = [];
  let i = 0;
  for await (const result of Worker.runReplayHistories(replayOptions(cfg, code), histories)) {
    const { workflowId, runId, workflowType } = executions[i++]!;
    if (result.error) {
      const error = result.error instanceof Error ? result.error.message : String(result.error);
      incompatible.push({ workflowId, runId, workflowType, error: error.split('\n')[0]! });
    }
  }
  return incompatible;
}

export interface WorkflowCode {
  label: string;
  options: Partial<ReplayWorkerOptions>;
}

/** The workflow code to replay against: a prebuilt bundle, a workflows module, or this build's workflows. */
export function workflowCode(opts: { bundle?: string; workflows?: string }): WorkflowCode {
  if (opts.bundle)
    return { label: `the bundle ${opts.bundle}`, options: { workflowBundle: { codePath: opts.bundle } } };
  const workflowsPath = opts.workflows ?? require.resolve('../workflows');
  return {
    label: opts.workflows ? `the workflows in ${opts.workflows}` : "this build's workflows",
    options: { workflowsPath, interceptors: { workflowModules: workflowInterceptorModules } },
  };
}

/** As the worker runs them: the same data converter (payloads are encrypted) and the tracing sink. */
function replayOptions(cfg: OpsTemporalConfig, code: WorkflowCode): ReplayWorkerOptions {
  return {
    ...code.options,
    // Through the codec server when the operator has no keys: histories are decoded there, payload by payload.
    dataConverter: createDataConverter(cfg.payloadCodec),
    plugins: [tracingPlugin(installTracing({}, 'starkbank-payouts-ops'))],
  };
}

function renderReplay(r: ReplayReport): string {
  const fields = formatFields([
    ['Workflow code', r.workflowCode],
    ['Replayed', `${r.replayed} histories (${r.running} running)`],
    ['Verdict', r.incompatible.length === 0 ? 'compatible: safe to deploy' : `${r.incompatible.length} INCOMPATIBLE`],
  ]);
  if (r.incompatible.length === 0) return fields;
  return `${fields}\n\n${formatTable(r.incompatible, [
    { header: 'WORKFLOW', value: (i) => i.workflowId },
    { header: 'TYPE', value: (i) => i.workflowType },
    { header: 'ERROR', value: (i) => i.error },
  ])}`;
}
