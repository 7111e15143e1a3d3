import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { errorMessage } from '../shared/errors';

// Worker Versioning: the workers of one build are one version of a Worker Deployment. Which version new workflows
// (and auto-upgrading ones) run on is the deployment's current version, which an operator sets (`ops deploy`).

type RoutingConfig = temporal.api.deployment.v1.IRoutingConfig;
type VersionSummary = temporal.api.deployment.v1.WorkerDeploymentInfo.IWorkerDeploymentVersionSummary;

export interface VersioningConfig {
  enabled: boolean;
  deploymentName: string;
  buildId?: string;
}

/**
 * This build's id: the configured one, else `<package version>+<git sha>`, else (an image without git) the
 * prebuilt bundle's hash, else `+dev`. Two builds with other workflow code must never share an id: a worker of the
 * one would be handed the other's pinned workflows.
 */
export function buildIdOf(
  configured: string | undefined,
  bundlePath: string | undefined,
  sha: () => string | undefined = gitSha,
): string {
  if (configured) return configured;
  const version = packageVersion() ?? '0.0.0';
  const suffix = sha() ?? (bundlePath ? `bundle-${fileHash(bundlePath)}` : 'dev');
  return `${version}+${suffix}`;
}

function packageVersion(): string | undefined {
  // src/temporal/ in a checkout, lib/src/temporal/ in an image: the product's package.json is above either.
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  }
  return undefined;
}

function gitSha(): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: __dirname,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    });
    const sha = out.toString().trim();
    return /^[0-9a-f]{7,40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

function fileHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 12);
}

export function versionName(v: WorkerDeploymentVersion | temporal.api.deployment.v1.IWorkerDeploymentVersion): string {
  return `${v.deploymentName ?? ''}:${v.buildId ?? ''}`;
}

/** A deployment's routing and versions as an operator reads them. */
export interface DeploymentView {
  deploymentName: string;
  current?: string;
  ramping?: { buildId: string; percentage: number };
  versions: { buildId: string; status: string; drainage: string; createdAt?: string }[];
  conflictToken: Uint8Array;
}

const { WorkerDeploymentVersionStatus, VersionDrainageStatus } = temporal.api.enums.v1;

/** The deployment, or undefined when no worker of it has polled yet. */
export async function describeDeployment(client: Client, deploymentName: string): Promise<DeploymentView | undefined> {
  let res: temporal.api.workflowservice.v1.DescribeWorkerDeploymentResponse;
  try {
    res = await client.workflowService.describeWorkerDeployment({
      namespace: client.options.namespace,
      deploymentName,
    });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const info = res.workerDeploymentInfo;
  const routing: RoutingConfig = info?.routingConfig ?? {};
  const current = buildIdOfRouting(routing.currentDeploymentVersion, routing.currentVersion);
  const ramping = buildIdOfRouting(routing.rampingDeploymentVersion, routing.rampingVersion);
  return {
    deploymentName,
    current,
    ramping: ramping ? { buildId: ramping, percentage: routing.rampingVersionPercentage ?? 0 } : undefined,
    versions: (info?.versionSummaries ?? []).map((v: VersionSummary) => ({
      buildId: v.deploymentVersion?.buildId ?? v.version?.split(/[:.]/).slice(1).join('.') ?? '?',
      status: enumName(WorkerDeploymentVersionStatus, v.status, 'WORKER_DEPLOYMENT_VERSION_STATUS_'),
      drainage: enumName(VersionDrainageStatus, v.drainageInfo?.status ?? v.drainageStatus, 'VERSION_DRAINAGE_STATUS_'),
      createdAt: v.createTime?.seconds ? new Date(Number(v.createTime.seconds) * 1_000).toISOString() : undefined,
    })),
    conflictToken: res.conflictToken ?? new Uint8Array(),
  };
}

function buildIdOfRouting(
  v: temporal.api.deployment.v1.IWorkerDeploymentVersion | null | undefined,
  legacy: string | null | undefined,
): string | undefined {
  if (v?.buildId) return v.buildId;
  // Older servers name it `<deployment>.<build id>` (or `__unversioned__`) in a string.
  if (!legacy || legacy === '__unversioned__') return undefined;
  const i = legacy.search(/[:.]/);
  return i < 0 ? undefined : legacy.slice(i + 1);
}

function enumName(e: Record<string, string | number>, value: number | null | undefined, prefix: string): string {
  const name = value === null || value === undefined ? undefined : e[value];
  return typeof name === 'string' ? name.replace(prefix, '').toLowerCase() : 'unspecified';
}

function isNotFound(err: unknown): boolean {
  // gRPC NOT_FOUND (5): the deployment exists once one of its workers has polled.
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 5;
}

/** Makes `buildId` the deployment's current version; `conflictToken` refuses if the routing changed meanwhile. */
export async function setCurrentVersion(
  client: Client,
  deploymentName: string,
  buildId: string,
  identity: string,
  conflictToken?: Uint8Array,
): Promise<void> {
  await client.workflowService.setWorkerDeploymentCurrentVersion({
    namespace: client.options.namespace,
    deploymentName,
    buildId,
    identity,
    ...(conflictToken?.length ? { conflictToken } : {}),
  });
}

/** Sends `percentage` of new (and auto-upgrading) workflows to `buildId`; an empty id with 0 ends the ramp. */
export async function setRampingVersion(
  client: Client,
  deploymentName: string,
  buildId: string,
  percentage: number,
  identity: string,
): Promise<void> {
  await client.workflowService.setWorkerDeploymentRampingVersion({
    namespace: client.options.namespace,
    deploymentName,
    buildId,
    percentage,
    identity,
  });
}

/**
 * The first deploy: a deployment with no current version sends new workflows to unversioned workers, which do
 * not exist, so the first build to arrive makes itself current. Once one is current, a new build waits as a
 * candidate until an operator makes it current (`ops deploy set-current`, after the replay check). Waits until the
 * server knows this version on every task queue the worker polls; resolves with what it did.
 */
export async function becomeCurrentIfFirst(
  client: Client,
  version: WorkerDeploymentVersion,
  taskQueues: readonly string[],
  { timeoutMs = 60_000, identity = 'worker (first deploy)' } = {},
): Promise<'became-current' | 'is-current' | 'candidate'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // Only once the server knows this version on every queue: an operator may then make it current.
      const view = await describeDeployment(client, version.deploymentName);
      if (view && (await pollsEveryQueue(client, version, taskQueues))) {
        if (view.current === version.buildId) return 'is-current';
        if (view.current !== undefined) return 'candidate';
        await setCurrentVersion(client, version.deploymentName, version.buildId, identity, view.conflictToken);
        return 'became-current';
      }
    } catch (err) {
      // Not registered yet, or another worker of this build set it first (the conflict token changed): again.
      if (Date.now() > deadline) throw new Error(`could not settle ${versionName(version)}: ${errorMessage(err)}`);
    }
    if (Date.now() > deadline) throw new Error(`the server did not register ${versionName(version)} in time`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function pollsEveryQueue(
  client: Client,
  version: WorkerDeploymentVersion,
  taskQueues: readonly string[],
): Promise<boolean> {
  const res = await client.workflowService.describeWorkerDeploymentVersion({
    namespace: client.options.namespace,
    deploymentVersion: { deploymentName: version.deploymentName, buildId: version.buildId },
  });
  const known = new Set((res.workerDeploymentVersionInfo?.taskQueueInfos ?? []).map((q) => q.name));
  return taskQueues.every((q) => known.has(q));
}
