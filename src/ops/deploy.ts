import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import type { OpsTemporalConfig } from '../config';
import { deploymentQueuesFilter } from '../temporal/taskQueues';
import {
  buildIdOf,
  describeDeployment,
  setCurrentVersion,
  setRampingVersion,
  type DeploymentView,
} from '../temporal/workerDeployment';
import { operator, positiveInt } from './args';
import { CliError, emit, examples, formatFields, formatTable, formatTime } from './output';
import { replayExecutions, workflowCode, type Execution, type WorkflowCode } from './replay';
import { withTemporal } from './temporalFromEnv';

// `ops deploy`: roll a build out (and back) with Worker Versioning. docs/operations.md, "Deploy and roll back".

const envSchema = z.object({
  WORKER_DEPLOYMENT_NAME: z.string().trim().min(1).optional(),
  WORKER_BUILD_ID: z.string().trim().min(1).optional(),
  WORKFLOW_BUNDLE_PATH: z.string().trim().min(1).optional(),
});

/** The deployment (named as the worker names it) and this build's id and workflow code. */
function thisBuild(cfg: OpsTemporalConfig) {
  const env = envSchema.parse(process.env);
  return {
    deploymentName: env.WORKER_DEPLOYMENT_NAME ?? cfg.taskQueue,
    buildId: buildIdOf(env.WORKER_BUILD_ID, env.WORKFLOW_BUNDLE_PATH),
    bundle: env.WORKFLOW_BUNDLE_PATH,
  };
}

interface MoveOptions {
  operator: string;
  bundle?: string;
  workflows?: string;
  limit: number;
  force?: boolean;
}

interface PrecheckReport {
  workflowCode: string;
  /** Running workflows that move to the build (auto-upgrading or unversioned): their histories were replayed. */
  replayed: number;
  /** Running workflows pinned to another build: they stay there and need no check. */
  pinnedElsewhere: number;
  incompatible: Awaited<ReturnType<typeof replayExecutions>>;
}

export function registerDeployCommands(program: Command): void {
  const deploy = program
    .command('deploy')
    .description('roll a worker build out or back (Worker Versioning): describe, set-current, ramp');

  deploy
    .command('describe')
    .description("the deployment's current and ramping build, and every build its workers declared")
    .addHelpText('after', examples('deploy describe', 'deploy describe --json'))
    .action(async (_opts: unknown, cmd: Command) => {
      const view = await withTemporal({ cmd, payloads: false }, async (client, cfg) => {
        const { deploymentName, buildId } = thisBuild(cfg);
        const found = await describeDeployment(client, deploymentName);
        if (!found) throw new CliError(`no worker of deployment ${deploymentName} has polled yet (start one)`);
        return { ...found, thisBuild: buildId };
      });
      emit(cmd, { ...view, conflictToken: undefined }, renderDeployment);
    });

  const moveOptions = (c: Command) =>
    c
      .requiredOption('--operator <name>', 'who changes the routing (recorded on the deployment)', operator)
      .option('--bundle <file>', "the build's prebuilt workflow bundle, for the replay check")
      .option('--workflows <module>', "the build's workflows module (a checkout), for the replay check")
      .option('--limit <n>', 'replay at most this many running workflows', positiveInt, 500)
      .option('--force', 'skip the replay check (recorded with the operator)');

  moveOptions(
    deploy
      .command('set-current [build-id]')
      .description('send new and auto-upgrading workflows to a build, after replaying the ones that would move'),
  )
    .addHelpText(
      'after',
      examples(
        'deploy set-current --operator ana          # this build (run it from the new image)',
        'deploy set-current 0.1.0+1a2b3c4d5e6f --bundle /srv/previous/lib/workflow-bundle.js --operator ana',
      ),
    )
    .action(async (buildId: string | undefined, opts: MoveOptions, cmd: Command) => {
      await move(cmd, buildId, opts, async (client, deploymentName, target, identity, view) => {
        await setCurrentVersion(client, deploymentName, target, identity, view.conflictToken);
        return `${target} is current: new payouts start on it; pinned ones finish where they started`;
      });
    });

  moveOptions(
    deploy
      .command('ramp <build-id> <percent>')
      .description('send a share of new and auto-upgrading workflows to a build, the rest to the current one'),
  )
    .addHelpText('after', examples('deploy ramp 0.1.0+1a2b3c4d5e6f 10 --bundle lib/workflow-bundle.js --operator ana'))
    .action(async (buildId: string, percent: string, opts: MoveOptions, cmd: Command) => {
      const share = percentage(percent);
      await move(cmd, buildId, opts, async (client, deploymentName, target, identity) => {
        await setRampingVersion(client, deploymentName, target, share, identity);
        return `${share}% of new payouts start on ${target}; \`deploy set-current\` completes the rollout`;
      });
    });
}

function percentage(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 100) throw new InvalidArgumentError('expected a percentage 0-100');
  return n;
}

type Change = (
  client: Client,
  deploymentName: string,
  buildId: string,
  identity: string,
  view: DeploymentView,
) => Promise<string>;

/** Checks the build against the workflows that would move to it, then changes the routing. */
async function move(cmd: Command, buildId: string | undefined, opts: MoveOptions, change: Change): Promise<void> {
  const result = await withTemporal({ cmd, defaultTimeoutSeconds: 1_800 }, async (client, cfg) => {
    const own = thisBuild(cfg);
    const target = buildId ?? own.buildId;
    // The check must run the target's code: this build's, unless the operator names the target's.
    if (target !== own.buildId && !opts.bundle && !opts.workflows && !opts.force) {
      throw new CliError(
        `this is build ${own.buildId}: run the command from build ${target}'s image, or give its code ` +
          '(--bundle or --workflows) for the replay check',
      );
    }
    const view = await describeDeployment(client, own.deploymentName);
    if (!view?.versions.some((v) => v.buildId === target)) {
      throw new CliError(`no worker of build ${target} has polled deployment ${own.deploymentName}: start them first`);
    }
    const bundle = opts.bundle ?? (target === own.buildId ? own.bundle : undefined);
    const code = workflowCode({ bundle, workflows: opts.workflows });
    const check = opts.force ? undefined : await precheck(client, cfg, target, code, opts.limit);
    if (check && check.incompatible.length > 0) return { check, outcome: undefined };
    const identity = `ops ${opts.operator}${opts.force ? ' (forced past the replay check)' : ''}`;
    return { check, outcome: await change(client, own.deploymentName, target, identity, view) };
  });
  emit(cmd, result, renderMove);
  if (!result.outcome) {
    const { check } = result;
    throw new CliError(
      `${check?.incompatible.length} of ${check?.replayed} workflows that would move to the build do not replay ` +
        'with its code: the routing was not changed (fix the change, or put it behind patched())',
    );
  }
}

const { VersioningBehavior } = temporal.api.enums.v1;

/**
 * The replay check before routing changes: the running workflows that would run `target`'s code next (those that
 * upgrade automatically, and unversioned ones) are replayed against it. Pinned workflows stay where they are.
 */
async function precheck(
  client: Client,
  cfg: OpsTemporalConfig,
  target: string,
  code: WorkflowCode,
  limit: number,
): Promise<PrecheckReport> {
  const moving: Execution[] = [];
  let pinnedElsewhere = 0;
  const query = `${deploymentQueuesFilter(cfg.taskQueue)} AND ExecutionStatus="Running"`;
  for await (const w of client.workflow.list({ query })) {
    const { raw } = await client.workflow.getHandle(w.workflowId, w.runId).describe();
    const info = raw.workflowExecutionInfo?.versioningInfo;
    const override = info?.versioningOverride;
    const pinnedTo =
      override?.pinned?.version?.buildId ??
      (info?.behavior === VersioningBehavior.VERSIONING_BEHAVIOR_PINNED ? info.deploymentVersion?.buildId : undefined);
    if (pinnedTo && pinnedTo !== target) {
      pinnedElsewhere++;
      continue;
    }
    moving.push({ workflowId: w.workflowId, runId: w.runId, workflowType: w.type });
    if (moving.length >= limit) break;
  }
  const incompatible = await replayExecutions(client, cfg, moving, code);
  return { workflowCode: code.label, replayed: moving.length, pinnedElsewhere, incompatible };
}

function renderDeployment(v: Omit<DeploymentView, 'conflictToken'> & { thisBuild: string }): string {
  const fields = formatFields([
    ['Deployment', v.deploymentName],
    ['Current', v.current ?? 'none (new workflows go to unversioned workers)'],
    ['Ramping', v.ramping ? `${v.ramping.buildId} (${v.ramping.percentage}%)` : 'none'],
    ['This build', v.thisBuild],
  ]);
  return `${fields}\n\n${formatTable(v.versions, [
    { header: 'BUILD', value: (x) => x.buildId },
    { header: 'STATUS', value: (x) => x.status },
    { header: 'DRAINAGE', value: (x) => x.drainage },
    { header: 'DECLARED', value: (x) => formatTime(x.createdAt ? new Date(x.createdAt) : undefined) },
  ])}`;
}

function renderMove(r: { check?: PrecheckReport; outcome?: string }): string {
  const check = r.check
    ? [
        ['Replay check', `${r.check.replayed} moving workflows against ${r.check.workflowCode}`] as const,
        ['Pinned elsewhere', `${r.check.pinnedElsewhere} (stay on their build)`] as const,
        [
          'Verdict',
          r.check.incompatible.length === 0 ? 'compatible' : `${r.check.incompatible.length} INCOMPATIBLE`,
        ] as const,
      ]
    : [['Replay check', 'skipped (--force)'] as const];
  const fields = formatFields([...check, ['Routing', r.outcome ?? 'unchanged']]);
  if (!r.check?.incompatible.length) return fields;
  return `${fields}\n\n${formatTable(r.check.incompatible, [
    { header: 'WORKFLOW', value: (i) => i.workflowId },
    { header: 'TYPE', value: (i) => i.workflowType },
    { header: 'ERROR', value: (i) => i.error },
  ])}`;
}
