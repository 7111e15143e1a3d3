import { ENGINE_NAMES, parseEngineName, type EngineName } from '../testkit/engine';
import { runBudgetBench } from './budget';
import { runBurstBench } from './burst';
import { runCacheBench } from './cache';
import { runFloorBench } from './floor';
import { runSignatureBench } from './signature';
import { argValue, writeResult } from './stats';
import { targetRows, type EngineResults } from './summary';
import { runIngestBench } from './webhookIngest';

const BENCHES = ['signature', 'ingest', 'floor', 'shaped', 'burst', 'budget', 'cache'] as const;
// The cache bench parks 1500 payouts (minutes on its own): run only when named.
const BY_DEFAULT = BENCHES.filter((name) => name !== 'cache');

/**
 * `npm run bench [-- signature|ingest|floor|shaped|burst|budget|cache ...] [--engine=dev|cluster|both]`: the
 * chosen sub-benchmarks (all but cache by default) on each engine (both by default), one after the other: never in
 * parallel, they would measure each other. The signature bench needs no engine and runs once. Each writes bench-results/<name>[-<engine>].json;
 * the targets of every engine are printed at the end and written to bench-results/summary.json.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const names = argv.filter((a) => !a.startsWith('--'));
  const flags = argv.filter((a) => a.startsWith('--'));
  for (const name of names) {
    if (!(BENCHES as readonly string[]).includes(name))
      throw new Error(`unknown bench ${name} (${BENCHES.join(', ')})`);
  }
  const chosen = names.length ? names : BY_DEFAULT;
  const engineArg = argValue(flags, 'engine', 'both');
  const engines: EngineName[] = engineArg === 'both' ? [...ENGINE_NAMES] : [parseEngineName(engineArg)];

  if (chosen.includes('signature')) {
    console.log('\n=== signature ===');
    await runSignatureBench();
  }
  const results: EngineResults[] = [];
  for (const engine of engines) {
    const result: EngineResults = { engine };
    results.push(result);
    // Ingest first, on a fresh engine per config; then the floor and the burst, each on a fresh engine too.
    if (chosen.includes('ingest')) {
      console.log(`\n=== ingest (${engine}) ===`);
      result.ingest = await runIngestBench(flags, engine);
    }
    if (chosen.includes('floor')) {
      console.log(`\n=== floor (${engine}) ===`);
      result.floor = await runFloorBench(flags, engine);
    }
    if (chosen.includes('shaped')) {
      console.log(`\n=== payout-shaped floor (${engine}) ===`);
      result.shaped = await runFloorBench([...flags, '--shape=payout'], engine);
    }
    if (chosen.includes('burst')) {
      console.log(`\n=== burst (${engine}) ===`);
      result.burst = await runBurstBench(flags, engine);
    }
    if (chosen.includes('budget')) {
      console.log(`\n=== budget (${engine}) ===`);
      await runBudgetBench(flags, engine);
    }
    if (chosen.includes('cache')) {
      console.log(`\n=== cache (${engine}) ===`);
      await runCacheBench(flags, engine);
    }
  }
  // The targets need the engine benches; the signature and budget benches print their own figures.
  if (!chosen.some((name) => !['signature', 'budget', 'cache'].includes(name))) return;
  const summary = results.map((result) => ({ engine: result.engine, targets: targetRows(result) }));
  for (const { engine, targets } of summary) {
    console.log(`\n=== targets: ${engine} ===`);
    console.table(targets);
  }
  console.log(`-> ${writeResult('summary', { engines, summary })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
