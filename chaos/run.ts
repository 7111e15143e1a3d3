import crypto from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { invoiceIdOfTransfer, payoutWorkflowId } from '../src/domain/payoutIds';
import {
  auditBalance,
  auditTransfers,
  createInvoices,
  creditedNetAmounts,
  startPipeline,
  transfersByInvoice,
  workspaceBalance,
  type Pipeline,
} from '../testkit/pipeline';
import { freePort } from '../testkit/devServer';
import { parseEngineName } from '../testkit/engine';
import { badRequests, mapPool, sendRequest, type BadRequest } from '../testkit/badRequests';
import { generateProjectKeys } from '../testkit/emulator';
import { adminUrlOf } from '../testkit/processes';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { argValue, writeBenchFile } from '../bench/stats';
import { errorMessage } from '../src/shared/errors';
import { runDataConverter } from '../testkit/payloadKeys';

/**
 * Chaos run (`npm run chaos [-- --engine=dev|cluster]`): a burst of payouts while the worker is SIGKILLed and
 * restarted, the webhook is down for a while, the Temporal server restarts on its data, the emulator fails 20% of
 * API calls and drops 10% of responses after committing, and >= 1000 forged/malformed requests hit the webhook.
 * On the cluster, two workers and two webhook replicas behind one load-balanced URL run, PostgreSQL restarts too,
 * and one worker and one webhook are killed for good mid-burst. Afterwards every credited invoice must have
 * exactly one successful transfer of its net amount, the balance must match, and no bad request may have started
 * a payout.
 */
const ENGINE = parseEngineName(argValue(process.argv.slice(2), 'engine', 'dev'));
const COUNT = Number(process.env.CHAOS_COUNT ?? 300);
const BAD = Number(process.env.CHAOS_BAD ?? 1_000);
const MAX_BODY = 65_536; // the webhook process's default WEBHOOK_MAX_BODY_BYTES
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rows: { check: string; value: string; ok: boolean }[] = [];
const record = (check: string, value: string | number, ok = true) => rows.push({ check, value: String(value), ok });
const log = (msg: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}`);

function successCount(p: Pipeline): number {
  return p.stark.emulator.transferCounts().success ?? 0;
}

/** Waits until `share` of the payouts succeeded (or the timeout passed): a fault then lands mid-burst. */
async function waitForShare(p: Pipeline, share: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && successCount(p) < share * COUNT) await sleep(500);
  return successCount(p);
}

async function waitForAll(p: Pipeline, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let done = 0;
  while (Date.now() < deadline && (done = successCount(p)) < count) await sleep(1_000);
  return done;
}

/** ~1 valid (ignored) event between every 20 bad ones: the webhook must keep answering real traffic with 200. */
/**
 * Waits until the webhook says it is ready (Temporal reachable, Stark Bank's public key loaded). Until then it
 * rightly answers 503 to everything it cannot verify, and with 20% of API calls failing here its first key fetch
 * after a restart can fail: the bad-input check is about answers once it can verify.
 */
async function waitForWebhookReady(adminUrl: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const res = await fetch(`${adminUrl}/readyz`).catch(() => undefined);
    if (res?.ok) return Date.now() - started;
    await sleep(250);
  }
  throw new Error(`webhook not ready after ${timeoutMs} ms`);
}

function withValidEvents(bad: BadRequest[], starkKey: string): BadRequest[] {
  return bad.flatMap((req, i) => {
    if (i % 20 !== 0) return [req];
    // Another service's event: valid and signed, answered 200 and ignored, so it starts no payout of its own.
    const event = { id: crypto.randomUUID(), subscription: 'boleto', log: { type: 'created' } };
    const body = Buffer.from(JSON.stringify({ event }));
    const signature = crypto.sign('sha256', body, { key: starkKey, dsaEncoding: 'der' }).toString('base64');
    const headers = { 'content-type': 'application/json', 'Digital-Signature': signature };
    return [{ kind: 'valid (ignored type)', expected: 200, invoiceId: '', body, headers }, req];
  });
}

/** What the payouts still without a successful transfer wait on, so a slow run explains itself. */
async function describeStalled(client: Client, p: Pipeline, ids: string[]): Promise<void> {
  const paid = new Set(
    p.stark.emulator
      .snapshot()
      .transfers.filter((t) => t.status === 'success')
      .map((t) => invoiceIdOfTransfer(t)),
  );
  const stalled = ids.filter((id) => !paid.has(id));
  log(`${stalled.length} payouts without a successful transfer yet; the first 5:`);
  for (const id of stalled.slice(0, 5)) {
    const desc = await client.workflow
      .getHandle(payoutWorkflowId(id))
      .describe()
      .catch(() => undefined);
    const activities = (desc?.raw.pendingActivities ?? []).map((a) => ({
      type: a.activityType?.name,
      attempt: a.attempt,
      lastStarted: a.lastStartedTime ? new Date(Number(a.lastStartedTime.seconds) * 1000).toISOString() : null,
      worker: a.lastWorkerIdentity,
      failure: a.lastFailure?.message,
    }));
    const task = desc?.raw.pendingWorkflowTask;
    const state = await client.workflow
      .getHandle(payoutWorkflowId(id))
      .query<{ status?: string; retrying?: string }>('state')
      .then((s) => ({ status: s.status, retrying: s.retrying }))
      .catch((err: unknown) => errorMessage(err));
    console.log(
      `  ${id}: ${desc?.status.name ?? 'no workflow'}`,
      JSON.stringify({ state, activities, workflowTask: task }),
    );
  }
}

async function main(): Promise<void> {
  const starkKeys = generateProjectKeys();
  const cluster = ENGINE === 'cluster';
  log(`engine: ${ENGINE}`);
  const p = await startPipeline({
    engine: ENGINE,
    webhookPort: await freePort(),
    // One URL for Stark Bank, as in production: a balancer in front of the replicas (testkit/loadBalancer.ts).
    replicas: cluster ? { workers: 2, webhooks: 2 } : undefined,
    emulator: {
      eventPrivateKeyPem: starkKeys.privateKeyPem,
      behaviour: { timeScale: 0.01, payShare: 0 },
      faults: { duplicateDeliveryRate: 0.2, outOfOrderDelivery: true, outOfOrderMaxDelayMs: 500 },
    },
  });
  log(`${p.engine.label}; ${p.workers.length} worker(s), ${p.webhooks.length} webhook(s) at ${p.webhookUrl}`);
  const connection = await Connection.connect({ address: p.engine.address });
  const client = new Client({ connection, namespace: p.engine.namespace, dataConverter: runDataConverter });
  let exitCode = 0;
  try {
    const ids = await createInvoices(p.stark, COUNT);
    const balanceBefore = await workspaceBalance(p.stark);
    // API faults start after set-up, so they hit the product's calls, not the harness's.
    p.stark.emulator.setFaults({ errorRate: 0.2, dropAfterCommitRate: 0.1 });
    const t0 = Date.now();
    for (const id of ids) p.stark.emulator.payInvoice(id);
    log(`${COUNT} invoices credited; faults errorRate 0.2, dropAfterCommitRate 0.1, duplicates 0.2, out of order`);

    await sleep(3_000);
    await p.workers[0]!.stop('SIGKILL');
    log(`worker SIGKILLed at ${successCount(p)} successes; restarting`);
    await sleep(2_000);
    const tw = Date.now();
    p.workers[0] = await p.startWorker();
    record('worker SIGKILL + restart', `ready ${((Date.now() - tw) / 1000).toFixed(1)} s after start`);

    await p.webhooks[0]!.stop('SIGTERM');
    log('webhook stopped for 10 s (emulator retries after 3 s, 18 s, 72 s at timeScale 0.01)');
    await sleep(10_000);
    p.webhooks[0] = await p.startWebhook(0);
    record('webhook down 10 s + restart', 'done');

    log(`restarting the Temporal server (${p.engine.label}) at ${successCount(p)} successes`);
    const tr = Date.now();
    await p.engine.restartServer();
    record('Temporal server restart on its data', `${((Date.now() - tr) / 1000).toFixed(1)} s down`);

    if (cluster) {
      const atPostgres = await waitForShare(p, 0.3, 60_000);
      log(`restarting PostgreSQL at ${atPostgres} successes`);
      const tp = Date.now();
      await p.engine.restartDatabase!();
      record('PostgreSQL restart', `${((Date.now() - tp) / 1000).toFixed(1)} s down at ${atPostgres}/${COUNT}`);

      const atKill = await waitForShare(p, 0.5, 60_000);
      await Promise.all([p.workers[1]!.stop('SIGKILL'), p.webhooks[1]!.stop('SIGKILL')]);
      log(`second worker and second webhook SIGKILLed for good at ${atKill} successes`);
      const late = atKill >= COUNT ? ' (the burst was over: not a mid-burst kill)' : '';
      record('2nd worker + 2nd webhook SIGKILLed, not restarted', `at ${atKill}/${COUNT}${late}`);
    }

    const readyAfterMs = await waitForWebhookReady(adminUrlOf(p.webhooks[0]));
    log(`webhook ready ${readyAfterMs} ms later; sending ${BAD} forged/malformed requests (+ valid ones in between)`);
    const bad = badRequests({
      count: BAD,
      starkPrivateKeyPem: starkKeys.privateKeyPem,
      maxBodyBytes: MAX_BODY,
      idPrefix: `7${crypto.randomInt(1e5, 9e5)}`,
      trickles: 20,
    });
    const mixed = withValidEvents(bad, starkKeys.privateKeyPem);
    const statuses = await mapPool(mixed, 16, (req) => sendRequest(p.webhookUrl, req));
    const wrong = mixed.filter((req, i) => statuses[i] !== req.expected);
    const valid = mixed.filter((r) => r.expected === 200).length;
    record(
      'bad requests with the right 4xx',
      `${BAD - wrong.filter((r) => r.expected !== 200).length}/${BAD}`,
      !wrong.some((r) => r.expected !== 200),
    );
    record(
      'valid events answered 200 in between',
      `${valid - wrong.filter((r) => r.expected === 200).length}/${valid}`,
      !wrong.some((r) => r.expected === 200),
    );
    if (wrong.length)
      console.log(
        'wrong answers (first 5):',
        wrong.slice(0, 5).map((r, i) => `${r.kind}: ${statuses[mixed.indexOf(r)] ?? i}`),
      );

    let done = await waitForAll(p, COUNT, 180_000);
    record('successes before any sweep', `${done}/${COUNT} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (done < COUNT) {
      await describeStalled(client, p, ids);
      const undelivered = p.stark.emulator.snapshot().events.filter((e) => !e.isDelivered).length;
      log(`not all paid out; ${undelivered} events undelivered: running the product sweep (sweepEvents)`);
      record('events the emulator gave up delivering', undelivered);
      await client.workflow.execute('sweepEvents', {
        taskQueue: p.env.TEMPORAL_TASK_QUEUE!,
        workflowId: `chaos-sweep-${Date.now()}`,
        args: [],
      });
      // With 20% errors and 10% dropped responses per request, an activity attempt of two requests fails about half
      // the time; a long run of failures (retries at most a minute apart) can hold a payout for ~5 minutes. That is
      // the retry policy at work, not a loss, so the payouts get time to finish.
      done = await waitForAll(p, COUNT, 480_000);
      record('after sweepEvents and up to 480 s more', `${done}/${COUNT}`);
    }
    if (done === COUNT) record('last payout succeeded', `${((Date.now() - t0) / 1000).toFixed(0)} s after the credit`);

    p.stark.emulator.setFaults({ errorRate: 0, dropAfterCommitRate: 0 }); // the audit itself must not be faulted
    const byInvoice = await transfersByInvoice(p.stark);
    const netAmounts = await creditedNetAmounts(p.stark);
    const audit = auditTransfers(ids, byInvoice, netAmounts);
    record('credited invoices', audit.credited, netAmounts.size === COUNT);
    record('invoices without a successful transfer', audit.missing, audit.missing === 0);
    record('invoices with >1 successful transfer', audit.duplicates, audit.duplicates === 0);
    record('successful transfers of another amount', audit.wrongAmount ?? '-', audit.wrongAmount === 0);
    record('transfers for uncredited ids', audit.stray, audit.stray === 0);
    const balance = await auditBalance(p.stark, balanceBefore, netAmounts, byInvoice);
    record('balance = before + credited - sent', `${balance.balance} (books ${balance.expected})`, balance.balances);
    // Where a missing payout stands, so a violation can be diagnosed from the output and the files alone.
    for (const id of audit.missingIds.slice(0, 5)) {
      const handle = client.workflow.getHandle(payoutWorkflowId(id));
      const state = await handle.query<unknown>('state').catch((err: unknown) => String(err));
      const desc = await handle.describe().catch(() => undefined);
      console.log(`missing payout ${id}: ${desc?.status.name ?? 'no workflow'}`, JSON.stringify(state));
      const pending = { workflowTask: desc?.raw.pendingWorkflowTask, activities: desc?.raw.pendingActivities };
      console.log(`  pending: ${JSON.stringify(pending)}`);
      const history = await handle.fetchHistory().catch(() => undefined);
      if (history) console.log(`  history -> ${writeBenchFile(`chaos-payout-${id}.json`, historyToJSON(history))}`);
    }
    if (audit.missing > 0) {
      const lines = p.services.flatMap((svc, i) => svc.logs.map((l) => JSON.stringify({ service: i, ...l })));
      console.log(`  service logs -> ${writeBenchFile('chaos-service-logs.jsonl', lines.join('\n'))}`);
      const stderr = p.services.map((svc, i) => `--- service ${i}\n${svc.stderr()}`).join('\n');
      console.log(`  service stderr -> ${writeBenchFile('chaos-service-stderr.txt', stderr)}`);
    }
    record('transfers total (failed duplicates included)', audit.transfers, audit.transfers >= audit.credited);

    const payouts = (await client.workflow.count('WorkflowType="payout"')).count;
    record('payout workflows = credited invoices', `${payouts}/${COUNT}`, payouts === COUNT);
    let leaked = 0;
    for (const req of bad.filter((_, i) => i % 25 === 0)) {
      const found = await client.workflow
        .getHandle(payoutWorkflowId(req.invoiceId))
        .describe()
        .then(() => true)
        .catch((err: unknown) => !(err instanceof WorkflowNotFoundError));
      if (found) leaked++;
    }
    record('payouts for sampled bad requests (by id)', leaked, leaked === 0);
    if (p.balancer) {
      const { forwarded, failovers, badGateway } = p.balancer.stats;
      record(
        'load balancer: forwarded per webhook, failovers, 502s',
        `${forwarded.join(' / ')}, ${failovers}, ${badGateway}`,
      );
    }
    record('total time', `${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (err) {
    record('run', errorMessage(err), false);
  } finally {
    // Only the chaos itself may stop a worker or webhook; one that exits on its own is a failure of its own.
    record('workers and webhooks that exited on their own', p.crashes.length, p.crashes.length === 0);
    await connection.close().catch(() => undefined);
    await p.close();
  }
  console.table(rows);
  if (rows.some((r) => !r.ok)) exitCode = 1;
  console.log(exitCode === 0 ? 'chaos: no violation' : 'chaos: VIOLATIONS, see the table');
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
