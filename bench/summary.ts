import type { EngineName } from '../testkit/engine';
import type { BurstSummary } from './burst';
import type { FloorResult } from './floor';
import { round } from './stats';
import type { IngestRow } from './webhookIngest';

/** What one engine's benches gave, as far as they ran. */
export interface EngineResults {
  engine: EngineName;
  ingest?: IngestRow[];
  floor?: FloorResult;
  /** The payout-shaped floor (`floor --shape=payout`). */
  shaped?: FloorResult;
  burst?: BurstSummary;
}

export interface TargetRow {
  target: string;
  figure: string;
  goal: string;
  met: string;
}

const sum = (parts: Record<string, number>, except: string[] = []) =>
  Object.entries(parts)
    .filter(([part]) => !except.includes(part))
    .reduce((total, [, ms]) => total + ms, 0);
const parts = (cpu: Record<string, number>, except: string[] = []) =>
  Object.entries(cpu)
    .filter(([part]) => !except.includes(part))
    .map(([part, ms]) => `${part} ${ms}`)
    .join(', ');
const yes = (ok: boolean) => (ok ? 'yes' : 'no');
const missing = (what: string): TargetRow => ({ target: what, figure: 'not run', goal: '', met: '' });
const ENGINE_PARTS = ['temporal', 'postgres'];

/**
 * The targets as ratios within one run, per engine. CPU is what the Temporal side of a payout costs (worker,
 * webhook, server, PostgreSQL) against the floor's (worker, its client, server, PostgreSQL); the emulator is Stark
 * Bank's side and is left out. Figures only: nothing here fails a run.
 */
export function targetRows(results: EngineResults): TargetRow[] {
  const { floor, burst, ingest } = results;
  const rows: TargetRow[] = [];
  if (floor && burst) {
    const payoutCpu = sum(burst.cpuMsPerPayout, ['emulatorAndBench']);
    const floorCpu = sum(floor.cpuMsPerWorkflow);
    rows.push({
      target: 'payout CPU / floor CPU',
      figure:
        `${round(payoutCpu / floorCpu, 2)}x: ${round(payoutCpu)} ms (${parts(burst.cpuMsPerPayout, ['emulatorAndBench'])}) / ` +
        `${round(floorCpu)} ms (${parts(floor.cpuMsPerWorkflow)})`,
      goal: '<= 2.5x',
      met: yes(payoutCpu / floorCpu <= 2.5),
    });
    const payoutServer = sum(burst.cpuMsPerPayout) - sum(burst.cpuMsPerPayout, ENGINE_PARTS);
    const floorServer = sum(floor.cpuMsPerWorkflow) - sum(floor.cpuMsPerWorkflow, ENGINE_PARTS);
    rows.push({
      target: '  of which the engine (server + database)',
      figure: `${round(payoutServer / floorServer, 2)}x: ${round(payoutServer)} ms / ${round(floorServer)} ms`,
      goal: '',
      met: '',
    });
    const rate = burst.payoutsPerSec / floor.workflowsPerSec;
    rows.push({
      target: 'payout rate / floor rate',
      figure: `${Math.round(rate * 100)}%: ${burst.payoutsPerSec}/s / ${floor.workflowsPerSec}/s`,
      goal: '>= 40%',
      met: yes(rate >= 0.4),
    });
  } else {
    rows.push(missing('payout / floor (needs floor and burst)'));
  }
  if (results.shaped && burst) {
    // Not a target: how much of the payout's cost its Temporal steps alone already cost on this engine.
    const shapedCpu = sum(results.shaped.cpuMsPerWorkflow);
    const payoutCpu = sum(burst.cpuMsPerPayout, ['emulatorAndBench']);
    const shapedEngine = sum(results.shaped.cpuMsPerWorkflow) - sum(results.shaped.cpuMsPerWorkflow, ENGINE_PARTS);
    const payoutEngine = sum(burst.cpuMsPerPayout) - sum(burst.cpuMsPerPayout, ENGINE_PARTS);
    rows.push({
      target: 'payout CPU / payout-shaped floor CPU',
      figure:
        `${round(payoutCpu / shapedCpu, 2)}x: ${round(payoutCpu)} / ${round(shapedCpu)} ms ` +
        `(${parts(results.shaped.cpuMsPerWorkflow)}); engine ${round(payoutEngine / shapedEngine, 2)}x; ` +
        `rate ${Math.round((burst.payoutsPerSec / results.shaped.workflowsPerSec) * 100)}% of ${results.shaped.workflowsPerSec}/s`,
      goal: '',
      met: '',
    });
  }
  const baseline = ingest?.filter((row) => row.config === 'baseline') ?? [];
  if (baseline.length > 0) {
    const levels = baseline.map((row) => {
      const share = row.webhookPerSec / row.rawPerSec;
      return { row, share, ok: share >= 0.8 && row.webhookP99ms < 100 };
    });
    rows.push({
      target: 'ingest / ceiling, webhook p99 (in flight)',
      figure: levels
        .map(({ row, share }) => `${row.concurrency}: ${Math.round(share * 100)}% ${row.webhookP99ms} ms`)
        .join('; '),
      goal: '>= 80% and p99 < 100 ms at one level',
      met: levels.some((l) => l.ok)
        ? `yes at ${levels
            .filter((l) => l.ok)
            .map((l) => l.row.concurrency)
            .join(', ')}`
        : 'no',
    });
  } else {
    rows.push(missing('ingest / ceiling'));
  }
  if (burst) {
    const mb = burst.workerPeakRssMiB * 1.048576;
    rows.push({
      target: 'worker peak RSS in the burst',
      figure: `${burst.workerPeakRssMiB} MiB (${Math.round(mb)} MB)`,
      goal: '< 400 MB',
      met: yes(mb < 400),
    });
    const latency = burst.latency as Record<string, number> | undefined;
    const seconds = Number(burst.secondsToAllSuccess);
    if (latency) {
      rows.push({
        target: 'burst: first transfer after the credits',
        figure: `${latency.firstTransferAfterCreditS} s`,
        goal: '<= 2 s',
        met: yes(latency.firstTransferAfterCreditS! <= 2),
      });
      rows.push({
        target: 'burst: p50 credited -> transfer created / burst',
        figure:
          `${Math.round((latency.creditedToCreatedP50S! / seconds) * 100)}%: p50 ${latency.creditedToCreatedP50S} s, ` +
          `p95 ${latency.creditedToCreatedP95S} s, p99 ${latency.creditedToCreatedP99S} s of ${seconds} s; ` +
          `to Succeeded p50 ${latency.creditedToSucceededP50S} s, p99 ${latency.creditedToSucceededP99S} s`,
        goal: '<= 60%',
        met: yes(latency.creditedToCreatedP50S! <= 0.6 * seconds),
      });
    }
    rows.push({
      target: 'burst: exactly one transfer per invoice, audit balances',
      figure: String(burst.exactlyOnePerCredited),
      goal: 'true',
      met: yes(burst.exactlyOnePerCredited),
    });
  }
  return rows;
}
