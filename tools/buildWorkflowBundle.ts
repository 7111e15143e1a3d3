import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../src/temporal/client';
import { workflowInterceptorModules } from '../src/observability/tracing';

/**
 * Prebuilds the workflow bundle for production images: `npm run build:bundle [-- <file>]` (default
 * lib/workflow-bundle.js), with the tracing interceptors whether or not the worker exports traces (one workflow
 * code: src/observability/tracing.ts). The worker loads it when WORKFLOW_BUNDLE_PATH points at the file, so it
 * starts without webpack and runs exactly the workflow code that was built (and replay-tested) with the image.
 */
async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? 'lib/workflow-bundle.js');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    failureConverterPath,
    workflowInterceptorModules,
  });
  fs.writeFileSync(target, code);
  const kib = (Buffer.byteLength(code) / 1024).toFixed(1);
  process.stdout.write(`workflow bundle written to ${target} (${kib} KiB)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
