import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { registry } from '../../src/observability/metrics';
import { registerPayoutGauges } from '../../src/gauges/payoutGauges';
import { missingPackagesMessage, PROMTOOL, TEST_PACKAGES } from '../helpers/debianPackages';

const DIR = path.resolve(__dirname, '../../deploy/prometheus');
/** The Temporal SDK's worker metrics the rules use (its core's Prometheus export; the e2e pipeline scrapes them). */
const SDK_METRICS = [
  'temporal_workflow_task_execution_failed',
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_activity_schedule_to_start_latency',
  'temporal_activity_execution_failed',
  'temporal_local_activity_execution_failed',
];

/** The Temporal server's metrics the engine rules use (its Prometheus export, scraped as job `temporal`). */
const SERVER_METRICS = ['approximate_backlog_age_seconds', 'asyncmatch_latency', 'persistence_latency'];
/** Prometheus's own series for each scrape target. */
const SCRAPE_METRICS = ['up'];

/** GitHub's anchor of a Markdown heading: lowercase, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function promtool(...args: string[]): string {
  if (!fs.existsSync(PROMTOOL))
    assert.fail(missingPackagesMessage(TEST_PACKAGES.filter((p) => p.name === 'prometheus')));
  return execFileSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8' });
}

describe('alert rules (deploy/prometheus)', () => {
  it('are valid rules in a valid Prometheus config', () => {
    assert.match(promtool('check', 'rules', 'alerts.yml'), /SUCCESS: \d+ rules found/);
    assert.match(promtool('check', 'config', 'prometheus.yml'), /is valid prometheus config file syntax/);
  });

  it('fire on what needs a person and stay quiet otherwise (promtool test rules)', () => {
    assert.match(promtool('test', 'rules', 'alerts.test.yml'), /SUCCESS/);
  });

  it('use only metrics the product or the Temporal SDK exports, and each has a unit test', () => {
    // The deployment gauges register against a client that is never called here.
    const gauges = new Registry();
    registerPayoutGauges({} as Client, 'unused', { registry: gauges });
    const ours = new Set([...registry.getMetricsAsArray(), ...gauges.getMetricsAsArray()].map((m) => m.name));
    const known = [...ours, ...SDK_METRICS, ...SERVER_METRICS, ...SCRAPE_METRICS];
    const rules = (
      parse(fs.readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as {
        groups: { rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[];
      }
    ).groups.flatMap((g) => g.rules);
    const tested = fs.readFileSync(path.join(DIR, 'alerts.test.yml'), 'utf8');
    for (const rule of rules) {
      // Metric names are the words before a selector, a range or a closing parenthesis; label names are not ours.
      const words = [...rule.expr.matchAll(/\b([a-z][a-z0-9_]*)(?=\s*[{[)])/g)].map((m) => m[1]!);
      const metrics = words.filter(
        (w) =>
          /^(temporal_|payout|reconciliation_|webhook_|sweep_)/.test(w) ||
          SERVER_METRICS.some((m) => w.startsWith(m)) ||
          SCRAPE_METRICS.includes(w),
      );
      assert.ok(metrics.length > 0, `${rule.alert}: no metric found in ${rule.expr}`);
      for (const metric of metrics) {
        const base = metric.replace(/_bucket$/, '');
        assert.ok(known.includes(base), `${rule.alert} uses ${metric}, which nothing exports`);
      }
      assert.match(tested, new RegExp(`alertname: ${rule.alert}\\n`), `${rule.alert} has no promtool test`);
    }
  });

  it('each link to their runbook: a section of docs/operations.md that names the alert', () => {
    const docs = fs.readFileSync(path.resolve(__dirname, '../../docs/operations.md'), 'utf8');
    const anchors = new Set([...docs.matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]!)));
    const rules = (
      parse(fs.readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as {
        groups: { rules: { alert: string; annotations: Record<string, string> }[] }[];
      }
    ).groups.flatMap((g) => g.rules);
    for (const rule of rules) {
      const url = rule.annotations.runbook_url;
      assert.ok(url, `${rule.alert} has no runbook_url`);
      const [file, anchor] = url.split('#');
      assert.equal(file, 'docs/operations.md', rule.alert);
      assert.ok(anchors.has(anchor!), `${rule.alert}: docs/operations.md has no section #${anchor}`);
      assert.equal(anchor, anchorOf(rule.alert), `${rule.alert}: its section is named after it`);
    }
  });
});
