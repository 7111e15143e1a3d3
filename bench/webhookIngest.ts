import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { payoutWorkflowId } from '../src/domain/payoutIds';
import { createEventDispatcher } from '../src/events/dispatch';
import { provisionDeployment } from '../src/setup/provisionDeployment';
import { InvoiceIdKey, PayoutStatusKey } from '../src/temporal/searchAttributes';
import { createWebhookApp, WEBHOOK_PATH } from '../src/webhook/app';
import { createSignatureVerifier } from '../src/webhook/signature';
import {
  invoiceCreditedSignal,
  PAYOUT_WORKFLOW_TYPE,
  type CreditedEvent,
  type PayoutWorkflow,
} from '../src/workflows/payoutDefinitions';
import { parseEngineName, startEngine, type EngineName, type EngineOptions } from '../testkit/engine';
import { argValue, percentile, round, runPool, writeResult } from './stats';
import { runDataConverter } from '../testkit/payloadKeys';

/**
 * Webhook ingestion against a fresh engine (dev server or cluster): unique signed `credited` events through the
 * real app (real verifier, real dispatcher -> signalWithStart), and the bare client's signalWithStart rate at
 * the same concurrency (the ceiling). No worker: the payouts are only started; each config gets a fresh engine.
 * The app and the load generator share this process (loopback HTTP), so the webhook figures include the
 * client side's cost on the same 2 cores.
 */
export const ingestConfigs: Record<string, EngineOptions> = {
  // What `npm run dev` (tools/devServerArgs.ts) and `npm run cluster` run.
  baseline: {},
  // The product's pragmas before its page cache: WAL + synchronous=NORMAL only, SQLite's default page cache.
  walOnly: { sqlite: { pragmas: ['journal_mode=WAL', 'synchronous=NORMAL'] } },
  // More parallel shard I/O, so concurrent starts are not all queued behind one persistence call.
  shardIO8: { dynamicConfig: { 'history.shardIOConcurrency': 8 } },
  // Durability traded for speed: never fsync (a benchmark anchor only, not for the product).
  syncOff: { sqlite: { pragmas: ['journal_mode=WAL', 'synchronous=OFF'] } },
  // No file at all: the upper bound of what SQLite settings could give.
  memory: { sqlite: { dbFile: ':memory:', pragmas: [] } },
};

const taskQueue = 'bench-ingest';

/** One concurrency level: the webhook, then the bare client (the ceiling), and each engine part's CPU per call. */
export interface IngestRow {
  engine: EngineName;
  config: string;
  concurrency: number;
  requests: number;
  webhookPerSec: number;
  webhookP50ms: number;
  webhookP99ms: number;
  webhookNon200: number;
  rawPerSec: number;
  rawP50ms: number;
  rawP99ms: number;
  rawErrors: number;
  engineCpuMsPerEvent: Record<string, number>;
  engineCpuMsPerStart: Record<string, number>;
}

function creditedBody(invoiceId: string): Buffer {
  const event = {
    created: new Date().toISOString(),
    id: crypto.randomUUID(),
    log: { id: crypto.randomUUID(), type: 'credited', invoice: { id: invoiceId, amount: 10_000, fee: 0 } },
    subscription: 'invoice',
  };
  return Buffer.from(JSON.stringify({ event }));
}

let counter = 0;
const newInvoiceId = () => `${Date.now()}${String(counter++).padStart(6, '0')}`;

async function runConfig(
  engineName: EngineName,
  name: string,
  opts: EngineOptions,
  levels: number[],
  requests: number,
): Promise<IngestRow[]> {
  const engine = await startEngine(engineName, opts);
  const connection = await Connection.connect({ address: engine.address });
  const client = new Client({ connection, namespace: engine.namespace, dataConverter: runDataConverter });
  // As a deployment's setup does: the search attributes the starts carry must exist on the namespace.
  await provisionDeployment(client, { taskQueue, retentionDays: 7 });
  const keys = crypto.generateKeyPairSync('ec', {
    namedCurve: 'secp256k1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
  });
  const verifier = createSignatureVerifier({ fetchPublicKey: () => Promise.resolve(keys.publicKey) });
  const app = createWebhookApp({
    verifier,
    dispatcher: createEventDispatcher({ client, taskQueue, retentionMs: () => Promise.resolve(7 * 86_400_000) }),
    logger: pino({ level: 'silent' }),
    maxBodyBytes: 65_536,
  });
  const http = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}${WEBHOOK_PATH}`;
  const rows: IngestRow[] = [];
  try {
    for (const concurrency of levels) {
      // Bodies are signed up front so the timed part is the webhook's work, not the sender's signing.
      const bodies = Array.from({ length: requests }, () => {
        const body = creditedBody(newInvoiceId());
        return {
          body,
          signature: crypto.sign('sha256', body, { key: keys.privateKey, dsaEncoding: 'der' }).toString('base64'),
        };
      });
      let non200 = 0;
      let firstStatus: string | undefined;
      const cpuAtStart = engine.cpuMs();
      const hook = await runPool(requests, concurrency, async (i) => {
        const { body, signature } = bodies[i]!;
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'Digital-Signature': signature },
        });
        const answer = await res.text();
        if (res.status !== 200) {
          non200++;
          firstStatus ??= `${res.status} ${answer}`;
        }
      });
      const cpuAfterHook = engine.cpuMs();
      const raw = await runPool(requests, concurrency, async () => {
        const invoiceId = newInvoiceId();
        await client.workflow.signalWithStart<PayoutWorkflow, [CreditedEvent]>(PAYOUT_WORKFLOW_TYPE, {
          workflowId: payoutWorkflowId(invoiceId),
          taskQueue,
          args: [{ invoiceId }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'USE_EXISTING',
          signal: invoiceCreditedSignal,
          signalArgs: [{ eventId: invoiceId, amount: 10_000, fee: 0 }],
          typedSearchAttributes: [
            { key: InvoiceIdKey, value: invoiceId },
            { key: PayoutStatusKey, value: 'Received' },
          ],
        });
      });
      const cpuAtEnd = engine.cpuMs();
      // A rate of failures is no figure: stop and say why.
      const failure = firstStatus ?? hook.firstError ?? raw.firstError;
      if (failure) throw new Error(`ingest on ${engineName} at ${concurrency} in flight failed: ${failure}`);
      // Each engine part's CPU per call: with 2 cores, 1000 / this is its rate if it had a core alone.
      const perCall = (from: Record<string, number>, to: Record<string, number>) =>
        Object.fromEntries(Object.entries(to).map(([part, ms]) => [part, round((ms - from[part]!) / requests, 2)]));
      const row: IngestRow = {
        engine: engineName,
        config: name,
        concurrency,
        requests,
        webhookPerSec: round((requests / hook.elapsedMs) * 1000),
        webhookP50ms: round(percentile(hook.latenciesMs, 50)),
        webhookP99ms: round(percentile(hook.latenciesMs, 99)),
        webhookNon200: non200 + hook.errors,
        rawPerSec: round((requests / raw.elapsedMs) * 1000),
        rawP50ms: round(percentile(raw.latenciesMs, 50)),
        rawP99ms: round(percentile(raw.latenciesMs, 99)),
        rawErrors: raw.errors,
        engineCpuMsPerEvent: perCall(cpuAtStart, cpuAfterHook),
        engineCpuMsPerStart: perCall(cpuAfterHook, cpuAtEnd),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await connection.close();
    await engine.stop();
  }
  return rows;
}

export async function runIngestBench(
  argv: string[] = process.argv.slice(2),
  engineName: EngineName = parseEngineName(argValue(argv, 'engine', 'dev')),
): Promise<IngestRow[]> {
  const arg = (name: string, fallback: string) => argValue(argv, name, fallback);
  const levels = arg('levels', '1,8,32,64').split(',').map(Number);
  const requests = Number(arg('requests', '500'));
  const configs = arg('configs', 'baseline,shardIO8').split(',');
  const rows: IngestRow[] = [];
  for (const name of configs) {
    const opts = ingestConfigs[name];
    if (!opts) throw new Error(`unknown config ${name}; one of ${Object.keys(ingestConfigs).join(', ')}`);
    if (opts.sqlite && engineName !== 'dev') {
      console.log(`  ${name}: SQLite settings, dev server only; skipped on the ${engineName}`);
      continue;
    }
    rows.push(...(await runConfig(engineName, name, opts, levels, requests)));
  }
  console.table(
    rows.map(({ engineCpuMsPerEvent, engineCpuMsPerStart, ...row }) => ({
      ...row,
      engineCpuMsPerEvent: JSON.stringify(engineCpuMsPerEvent),
      engineCpuMsPerStart: JSON.stringify(engineCpuMsPerStart),
    })),
  );
  console.log(`-> ${writeResult(`${arg('name', 'webhookIngest')}-${engineName}`, { levels, requests, rows })}`);
  return rows;
}

if (require.main === module) {
  runIngestBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
