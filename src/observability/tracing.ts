import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { BundleOptions, ReplayWorkerOptions, WorkerOptions } from '@temporalio/worker';

/**
 * One trace per payout path: the webhook request, its signalWithStart, the workflow, its activities and each Stark
 * Bank HTTP call, through the Temporal SDK's OpenTelemetry interceptors (context travels in Temporal headers).
 * Exported over OTLP/HTTP when an endpoint is configured; without one nothing is recorded.
 */

export const TRACER_NAME = 'starkbank-payouts';

/**
 * The workflow side of tracing, in every workflow bundle whether traces are exported or not: one bundle keeps a
 * replay with tracing on and off identical. It loads the SDK's interceptors only in runs started by a traced call.
 */
export const workflowInterceptorModules = [require.resolve('../workflows/tracingInterceptors')];

// The SDK's own workflow interceptors, which its plugin would add to a bundle: ours load them when a run is traced.
const SDK_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Tracing {
  /** Whether spans go anywhere. */
  enabled: boolean;
  /** Where the workflow sandbox's spans go (they leave it through a sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Flushes what is buffered and unregisters the tracer provider. */
  shutdown(): Promise<void>;
}

/** Where traces go (OTLP/HTTP), and the service name they carry (each entry point has a default). */
export interface TracingConfig {
  otlpEndpoint?: string;
  serviceName?: string;
}

/**
 * Registers the process-wide tracer provider; each entry point calls it once, before clients and workers exist.
 * `recordInto` (tests: an in-memory exporter's processor) replaces the OTLP export.
 */
export function installTracing(cfg: TracingConfig, defaultServiceName: string, recordInto?: SpanProcessor): Tracing {
  const resource = new Resource({ 'service.name': cfg.serviceName ?? defaultServiceName });
  const spanProcessor =
    recordInto ??
    (cfg.otlpEndpoint
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${cfg.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))
      : undefined);
  if (!spanProcessor) {
    return { enabled: false, spanProcessor: new NoopSpanProcessor(), resource, shutdown: () => Promise.resolve() };
  }
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Also installs the AsyncLocalStorage context manager and W3C propagation.
  provider.register();
  return {
    enabled: true,
    spanProcessor,
    resource,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The product's tracer (a no-op until installTracing registers a provider). */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Client interceptors: starts and signals carry the caller's trace context to the workflow. */
export function clientTracingInterceptors() {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/**
 * The SDK's tracing plugin for a worker or replayer: activity spans, the workflow interceptors (for workers that
 * bundle at start; a prebuilt bundle carries them) and the sink through which workflow spans leave the sandbox.
 */
export function tracingPlugin(tracing: Pick<Tracing, 'spanProcessor' | 'resource'>): OpenTelemetryPlugin {
  return new TracingPlugin({ spanProcessor: tracing.spanProcessor, resource: tracing.resource });
}

/** The SDK's plugin, with our workflow interceptors in place of its own (which it would load in every run). */
class TracingPlugin extends OpenTelemetryPlugin {
  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    return { ...configured, interceptors: withoutSdkModule(configured.interceptors) };
  }
  override configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    const configured = super.configureReplayWorker(options);
    return { ...configured, interceptors: withoutSdkModule(configured.interceptors) };
  }
  override configureBundler(options: BundleOptions): BundleOptions {
    const configured = super.configureBundler(options);
    const modules = configured.workflowInterceptorModules?.filter((m) => m !== SDK_WORKFLOW_INTERCEPTORS);
    return { ...configured, workflowInterceptorModules: modules };
  }
}

function withoutSdkModule(interceptors: WorkerOptions['interceptors']): WorkerOptions['interceptors'] {
  if (!interceptors?.workflowModules) return interceptors;
  return {
    ...interceptors,
    workflowModules: interceptors.workflowModules.filter((m) => m !== SDK_WORKFLOW_INTERCEPTORS),
  };
}
