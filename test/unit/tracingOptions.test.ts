import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  installTracing,
  tracedBundlePath,
  workerTracingOptions,
  workflowInterceptorModules,
} from '../../src/observability/tracing';

describe('tracing options of the worker', () => {
  it('bundles the workflow interceptors only when spans are exported: untraced, they cost more than a payout', async () => {
    const untraced = installTracing({}, 'worker-test');
    assert.equal(untraced.enabled, false);
    assert.deepEqual(workerTracingOptions(untraced).interceptors?.workflowModules, []);

    const traced = installTracing({}, 'worker-test', new SimpleSpanProcessor(new InMemorySpanExporter()));
    try {
      assert.equal(traced.enabled, true);
      assert.deepEqual(workerTracingOptions(traced).interceptors?.workflowModules, workflowInterceptorModules);
    } finally {
      await traced.shutdown();
    }
  });

  it('finds the prebuilt traced bundle beside the plain one', () => {
    assert.equal(tracedBundlePath('/app/lib/workflow-bundle.js'), '/app/lib/workflow-bundle.traced.js');
    assert.equal(tracedBundlePath('bundle'), 'bundle.traced.js');
  });
});
