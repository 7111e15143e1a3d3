import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../src/temporal/client';
import { tracedBundlePath, workflowInterceptorModules } from '../src/observability/tracing';

/**
 * Prebuilds the workflow bundles for production images: `npm run build:bundle [-- <file>]` (default
 * lib/workflow-bundle.js), and beside it `<file>.traced.js` with the tracing interceptors, which the worker loads
 * instead when traces are exported. The worker loads it when WORKFLOW_BUNDLE_PATH points at the file, so it
 * starts without webpack and runs exactly the workflow code that was built (and replay-tested) with the image.
 */
async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? 'lib/workflow-bundle.js');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  for (const [file, interceptors] of [
    [target, []],
    [tracedBundlePath(target), workflowInterceptorModules],
  ] as const) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      failureConverterPath,
      workflowInterceptorModules: [...interceptors],
    });
    fs.writeFileSync(file, code);
    const kib = (Buffer.byteLength(code) / 1024).toFixed(1);
    process.stdout.write(`workflow bundle written to ${file} (${kib} KiB)\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
