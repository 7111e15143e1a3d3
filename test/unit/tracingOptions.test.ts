import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installTracing, tracingPlugin, workflowInterceptorModules } from '../../src/observability/tracing';

describe('tracing options of the worker', () => {
  it('gives workers the same workflow interceptors and span sink whether traces are exported or not', async () => {
    const untraced = installTracing({}, 'worker-test');
    const traced = installTracing({}, 'worker-test', new SimpleSpanProcessor(new InMemorySpanExporter()));
    try {
      assert.deepEqual([untraced.enabled, traced.enabled], [false, true]);
      for (const tracing of [untraced, traced]) {
        const plugin = tracingPlugin(tracing);
        const options = plugin.configureWorker({
          taskQueue: 'q',
          workflowsPath: 'w',
          interceptors: { workflowModules: workflowInterceptorModules },
        });
        // Ours only: the SDK's own workflow interceptors would load OpenTelemetry in every run, traced or not.
        assert.deepEqual(options.interceptors?.workflowModules, workflowInterceptorModules);
        assert.ok(options.sinks?.exporter, 'workflow spans leave through the exporter sink');
        const bundle = plugin.configureBundler({ workflowsPath: 'w', workflowInterceptorModules });
        assert.deepEqual(bundle.workflowInterceptorModules, workflowInterceptorModules);
      }
    } finally {
      await traced.shutdown();
    }
  });
});
