import { runBurstBench } from './burst';
import { runSignatureBench } from './signature';
import { runIngestBench } from './webhookIngest';

/**
 * `npm run bench [-- signature|ingest|burst ...]`: runs the chosen sub-benchmarks (all by default) one after the
 * other (never in parallel: they would measure each other). Each writes bench-results/<name>.json.
 */
async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
  const chosen = names.length ? names : ['signature', 'ingest', 'burst'];
  for (const name of chosen) {
    console.log(`\n=== ${name} ===`);
    if (name === 'signature') await runSignatureBench();
    else if (name === 'ingest') await runIngestBench(flags);
    else if (name === 'burst') await runBurstBench(flags);
    else throw new Error(`unknown bench ${name} (signature, ingest, burst)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
