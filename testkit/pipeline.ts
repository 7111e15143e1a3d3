import { serviceEnv } from './serviceEnv';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import starkbank from 'starkbank';
import { cpf } from 'cpf-cnpj-validator';
import { invoiceIdOfTransfer, PAYOUT_TAG } from '../src/domain/payoutIds';
import type { EmulatorOptions } from '../emulator';
import { collect } from '../src/starkbank/list';
import { invoiceLogSchema, transferSchema, type Transfer } from '../src/starkbank/schemas';
import { netCreditedAmount } from '../src/domain/money';
import { freePort } from './devServer';
import { startEngine, type Engine, type EngineName, type EngineOptions } from './engine';
import { startLoadBalancer, type LoadBalancer } from './loadBalancer';
import { startService, type ChildService } from './processes';
import { startTestEmulator, type TestEmulator } from './emulator';

/** Emulator + a Temporal engine + the worker(s) and webhook(s) as real processes, wired like test/e2e/pipeline. */
export interface Pipeline {
  engine: Engine;
  stark: TestEmulator;
  env: Record<string, string>;
  /** The running workers and webhook replicas; a restart replaces its entry. */
  workers: ChildService[];
  webhooks: ChildService[];
  /** Where the emulator delivers: the webhook, or the load balancer in front of the replicas. */
  webhookUrl: string;
  balancer: LoadBalancer | undefined;
  /** Every worker and webhook process started so far, restarts included (their logs explain a failed run). */
  services: ChildService[];
  /** A report for every worker or webhook that exited on its own (printed at once as well). */
  crashes: string[];
  startWorker(): Promise<ChildService>;
  /** Starts webhook replica `replica` (0 by default) on its fixed port. */
  startWebhook(replica?: number): Promise<ChildService>;
  close(): Promise<void>;
}

export async function startPipeline(opts: {
  /** `dev` (the default) or `cluster`: see testkit/engine.ts. */
  engine?: EngineName;
  temporal?: EngineOptions;
  emulator?: Partial<EmulatorOptions>;
  /** Extra environment for the worker and webhook, e.g. `{ WORKER_MAX_CACHED_WORKFLOWS: '500' }`. */
  serviceEnv?: Record<string, string>;
  /** The URL's port the emulator delivers to: the webhook's, or the load balancer's with several replicas. */
  webhookPort: number;
  /** Worker processes and webhook replicas, one each by default. */
  replicas?: { workers?: number; webhooks?: number };
  /** Directory for V8 CPU profiles of the worker and webhook (`--cpu-prof`); they are stopped gracefully then. */
  profileDir?: string;
}): Promise<Pipeline> {
  buildLikeTheImage();
  const engine = await startEngine(opts.engine ?? 'dev', opts.temporal);
  const stark = await startTestEmulator({ seed: 'bench', ...opts.emulator }).catch(async (error: unknown) => {
    await engine.stop();
    throw error;
  });
  const webhookCount = opts.replicas?.webhooks ?? 1;
  // Fixed ports: the emulator's registered webhook (or the balancer's backends) must still be right after a restart.
  const webhookPorts =
    webhookCount === 1 ? [opts.webhookPort] : await Promise.all(Array.from({ length: webhookCount }, freePort));
  const env = serviceEnv(
    stark,
    { address: engine.address, taskQueue: 'bench-payouts' },
    {
      TEMPORAL_NAMESPACE: engine.namespace,
      // A burst is far above the product's daily guardrail; approvals would stall the benchmark.
      PAYOUT_DAILY_MAX_CENTS: String(1e12),
      PAYOUT_MAX_AMOUNT_CENTS: String(1e9),
      WEBHOOK_PORT: String(webhookPorts[0]),
      WORKFLOW_BUNDLE_PATH: path.join(repoRoot, 'lib/workflow-bundle.js'),
      ...opts.serviceEnv,
    },
  );
  const services: ChildService[] = [];
  const crashes: string[] = [];
  const started = async (service: Promise<ChildService>) => {
    const child = await service;
    services.push(child);
    void child.crashed.then((report) => {
      crashes.push(report);
      console.error(`crashed: ${report}`);
    });
    return child;
  };
  const nodeArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
  const workerArgs = [...WORKER_MEMORY_FLAGS, ...nodeArgs];
  const startWorker = () =>
    started(startService('lib/src/worker.js', env, (l) => l.msg === 'worker started', 90_000, workerArgs));
  const startWebhook = (replica = 0) =>
    started(
      startService(
        'lib/src/webhook.js',
        { ...env, WEBHOOK_PORT: String(webhookPorts[replica]) },
        (l) => l.msg === 'webhook listening',
        30_000,
        nodeArgs,
      ),
    );
  let balancer: LoadBalancer | undefined;
  const stopAll = async (signal: NodeJS.Signals) => {
    await Promise.all(services.map((service) => service.stop(signal)));
    await balancer?.close();
    await stark.close();
    await engine.stop();
  };
  let workers: ChildService[];
  let webhooks: ChildService[];
  let webhookUrl: string;
  try {
    // As a deployment does: setup first (namespace retention, pause switch, schedules), then the services.
    const setup = await startService('lib/src/setup.js', env, (l) => l.msg === 'setup done', 60_000);
    await setup.stop();
    [workers, webhooks] = await Promise.all([
      Promise.all(Array.from({ length: opts.replicas?.workers ?? 1 }, () => startWorker())),
      Promise.all(webhookPorts.map((_, replica) => startWebhook(replica))),
    ]);
    if (webhookCount > 1) balancer = await startLoadBalancer(webhookPorts, opts.webhookPort);
    const direct = urlOf(webhooks[0]!);
    webhookUrl = balancer ? `http://127.0.0.1:${balancer.port}${new URL(direct).pathname}` : direct;
    await starkbank.webhook.create({ url: webhookUrl, subscriptions: ['invoice', 'transfer'], user: stark.user });
  } catch (error) {
    await stopAll('SIGKILL');
    throw error;
  }
  const pipeline: Pipeline = {
    engine,
    stark,
    env,
    workers,
    webhooks,
    webhookUrl,
    balancer,
    services,
    crashes,
    startWorker,
    startWebhook,
    // A profile is written at a clean exit only; otherwise there is nothing to wait for.
    close: () => stopAll(opts.profileDir ? 'SIGTERM' : 'SIGKILL'),
  };
  return pipeline;
}

const urlOf = (webhook: ChildService) => String(webhook.logs.find((l) => l.msg === 'webhook listening')?.url);

const repoRoot = path.resolve(__dirname, '..');
/** The worker's V8 heap bounds, as the Dockerfile and docker-compose.yml start it. */
export const WORKER_MEMORY_FLAGS = ['--max-old-space-size=384', '--max-semi-space-size=4'];

/**
 * Compiles the product and prebuilds the workflow bundle exactly as the Dockerfile does, so the figures are those
 * of `node lib/src/worker.js`: no tsx loader, and no webpack run inside the worker.
 */
function buildLikeTheImage(): void {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  execFileSync('npm', ['run', '-s', 'build:bundle', '--', 'lib/workflow-bundle.js'], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
}

/** Creates `count` invoices through the SDK, 100 per request (the API's maximum). */
export async function createInvoices(stark: TestEmulator, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += 100) {
    const batch = Array.from(
      { length: Math.min(100, count - offset) },
      (_, i) =>
        new starkbank.Invoice({ amount: 1_000 + offset + i, name: `Payer ${offset + i}`, taxId: cpf.generate() }),
    );
    const created = await starkbank.invoice.create(batch, { user: stark.user });
    ids.push(...created.map((inv) => inv.id));
  }
  return ids;
}

/** Resident set peak (VmHWM) and current (VmRSS) of a process, in MiB. */
export function memoryOf(pid: number | undefined): { hwmMiB: number; rssMiB: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { hwmMiB: Math.round(kb('VmHWM') / 1024), rssMiB: Math.round(kb('VmRSS') / 1024) };
  } catch {
    return { hwmMiB: NaN, rssMiB: NaN };
  }
}

/** Every transfer the product made, per invoice, read through the SDK as an auditor would. */
export async function transfersByInvoice(stark: TestEmulator): Promise<Map<string, Transfer[]>> {
  const all = await collect(starkbank.transfer.query({ tags: [PAYOUT_TAG], user: stark.user }), transferSchema);
  const byInvoice = new Map<string, Transfer[]>();
  for (const t of all) {
    const id = String(invoiceIdOfTransfer(t));
    byInvoice.set(id, [...(byInvoice.get(id) ?? []), t]);
  }
  return byInvoice;
}

/** Net amount (amount minus fee) of every credited invoice, by invoice id, from the credited logs through the SDK. */
export async function creditedNetAmounts(stark: TestEmulator): Promise<Map<string, number>> {
  const logs = await collect(starkbank.invoice.log.query({ types: ['credited'], user: stark.user }), invoiceLogSchema);
  return new Map(logs.map((log) => [log.invoice.id, netCreditedAmount(log.invoice)]));
}

/**
 * Verdict of "exactly one successful transfer per credited invoice, of its net credited amount, and no other
 * transfer". Without `netAmounts` the amounts are not checked.
 */
export function auditTransfers(
  credited: string[],
  byInvoice: Map<string, Transfer[]>,
  netAmounts?: Map<string, number>,
) {
  const creditedSet = new Set(credited);
  let missing = 0;
  const missingIds: string[] = [];
  let duplicates = 0;
  let notSuccess = 0;
  let wrongAmount = 0;
  for (const id of credited) {
    const mine = byInvoice.get(id) ?? [];
    const ok = mine.filter((t) => t.status === 'success');
    if (ok.length === 0) {
      missing++;
      missingIds.push(id);
    }
    if (ok.length > 1) duplicates++;
    if (netAmounts && ok.some((t) => t.amount !== netAmounts.get(id))) wrongAmount++;
    if (mine.some((t) => t.status !== 'success' && t.status !== 'failed')) notSuccess++;
  }
  const stray = [...byInvoice.keys()].filter((id) => !creditedSet.has(id)).length;
  const transfers = [...byInvoice.values()].reduce((n, ts) => n + ts.length, 0);
  return {
    credited: credited.length,
    transfers,
    missing,
    missingIds,
    duplicates,
    wrongAmount: netAmounts ? wrongAmount : undefined,
    pending: notSuccess,
    stray,
  };
}

/** The workspace balance in cents, through the SDK. */
export async function workspaceBalance(stark: TestEmulator): Promise<number> {
  return (await starkbank.balance.get({ user: stark.user })).amount;
}

/**
 * The workspace balance through the SDK against the books: the balance before the invoices were credited, plus
 * their net credited amounts, minus what the successful transfers took (amount plus the transfer fee).
 */
export async function auditBalance(
  stark: TestEmulator,
  balanceBefore: number,
  netAmounts: Map<string, number>,
  byInvoice: Map<string, Transfer[]>,
): Promise<{ balance: number; expected: number; balances: boolean }> {
  const { transferFee } = stark.emulator.getBehaviour();
  const credited = [...netAmounts.values()].reduce((sum, n) => sum + n, 0);
  const sent = [...byInvoice.values()]
    .flat()
    .filter((t) => t.status === 'success')
    .reduce((sum, t) => sum + t.amount + transferFee, 0);
  const expected = balanceBefore + credited - sent;
  const balance = await workspaceBalance(stark);
  return { balance, expected, balances: balance === expected };
}
