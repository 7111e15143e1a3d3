import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { registry } from '../../../src/observability/metrics';
import { registerPayoutGauges } from '../../../src/gauges/payoutGauges';
import { freePort, startDevServer, type DevServer } from '../../../testkit/devServer';
import { missingPackagesMessage, PROMTOOL, TEST_PACKAGES } from '../../helpers/debianPackages';
import { eventually } from '../../helpers/temporal';

const DASHBOARDS = path.resolve(__dirname, '../../../deploy/grafana/dashboards');
/**
 * The Temporal SDK's worker metrics the dashboards use, as sdk-core exports them (the e2e pipeline scrapes a live
 * worker's); a fresh server's own Go workers export only some of them.
 */
const SDK_METRICS = [
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_activity_schedule_to_start_latency',
  'temporal_workflow_task_execution_latency',
  'temporal_workflow_task_execution_failed',
  'temporal_activity_execution_failed',
  'temporal_workflow_endtoend_latency',
  'temporal_worker_task_slots_used',
  'temporal_worker_task_slots_available',
  'temporal_sticky_cache_size',
  'temporal_sticky_cache_hit',
  'temporal_sticky_cache_total_forced_eviction',
];
/** The Temporal server's metrics the engine dashboard uses: each must be in the live server's /metrics. */
const SERVER_METRICS = ['approximate_backlog_count', 'approximate_backlog_age_seconds', 'persistence_latency'];
/**
 * Server metrics a fresh dev server emits only sometimes (a task's time in the backlog is recorded when it is not
 * matched at once); read by hand from a live cluster's /metrics.
 */
const SOMETIMES_SERVER_METRICS = ['asyncmatch_latency'];
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless']);

interface Dashboard {
  uid: string;
  panels: { title: string; targets: { expr: string }[] }[];
}

function dashboards(): Dashboard[] {
  return fs
    .readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(DASHBOARDS, f), 'utf8')) as Dashboard);
}

/** The series names a PromQL expression reads: not functions, aggregations' label lists, matchers or keywords. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w));
}

describe('Grafana dashboards (deploy/grafana): valid PromQL on metrics something exports', function () {
  this.timeout(60_000);
  let server: DevServer | undefined;
  let serverNames: Set<string>;

  before(async () => {
    const metricsPort = await freePort();
    // The task queue's backlog gauges are emitted at each ack update (every minute by default).
    server = await startDevServer({
      dbFile: ':memory:',
      metricsPort,
      dynamicConfig: { 'matching.updateAckInterval': '1s' },
    });
    // A task queue with a backlog: the engine metrics a deployment's queues emit.
    const names = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)/gm)].map((m) => m[1]!));
    };
    const having = (prefixes: string[]) => async () => {
      const live = await names();
      return prefixes.every((m) => [...live].some((n) => n.startsWith(m))) ? live : undefined;
    };
    const connection = await Connection.connect({ address: server.address });
    try {
      await new Client({ connection }).workflow.start('anything', { taskQueue: 'dashboards', workflowId: 'backlog' });
    } finally {
      await connection.close();
    }
    serverNames = await eventually(having(SERVER_METRICS), { timeoutMs: 30_000, what: "the server's engine metrics" });
  });
  after(() => server?.stop());

  it('has a payouts, a worker and an engine dashboard, each panel with a query', () => {
    assert.deepEqual(
      dashboards()
        .map((d) => d.uid)
        .sort(),
      ['payouts', 'payouts-engine', 'payouts-worker'],
    );
    for (const d of dashboards()) {
      for (const p of d.panels) assert.ok(p.targets.length > 0 && p.targets.every((t) => t.expr), p.title);
    }
  });

  it('parses every query (promtool check rules, each query a recording rule)', () => {
    if (!fs.existsSync(PROMTOOL))
      assert.fail(missingPackagesMessage(TEST_PACKAGES.filter((p) => p.name === 'prometheus')));
    const rules = dashboards().flatMap((d) =>
      d.panels.flatMap((p, i) =>
        p.targets.map((t, j) => ({ record: `dashboard:${d.uid.replace(/-/g, '_')}:panel_${i}_${j}`, expr: t.expr })),
      ),
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dashboards-')), 'rules.yml');
    fs.writeFileSync(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
    const out = execFileSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    assert.match(out, new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  it('reads only metrics the product, the SDK or the live server exports', () => {
    const gauges = new Registry();
    registerPayoutGauges({} as Client, 'unused', {
      registry: gauges,
      budget: { dailyMaxCents: 1, timeZone: 'America/Sao_Paulo' },
    });
    const product = [...registry.getMetricsAsArray(), ...gauges.getMetricsAsArray()].map((m) => m.name);
    const known = new Set([...product, ...SDK_METRICS, ...serverNames, ...SOMETIMES_SERVER_METRICS, 'up']);
    for (const d of dashboards()) {
      for (const p of d.panels) {
        for (const t of p.targets) {
          const names = metricNames(t.expr);
          assert.ok(names.length > 0, `${d.uid} / ${p.title}: no metric in ${t.expr}`);
          for (const n of names) {
            // A histogram's series (_bucket, _count, _sum) are known by its name.
            const exported = known.has(n) || known.has(n.replace(/_(bucket|count|sum)$/, ''));
            assert.ok(exported, `${d.uid} / ${p.title}: nothing exports ${n}`);
          }
        }
      }
    }
    // Every server metric a dashboard relies on was read from the live server, not from a list.
    for (const m of SERVER_METRICS)
      assert.ok(
        [...serverNames].some((n) => n.startsWith(m)),
        m,
      );
  });
});
