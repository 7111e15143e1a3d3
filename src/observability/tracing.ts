import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

/**
 * One trace per payout path: the webhook request, its signalWithStart, the workflow, its activities and each Stark
 * Bank HTTP call, through the Temporal SDK's OpenTelemetry interceptors (context travels in Temporal headers).
 * Exported over OTLP/HTTP when an endpoint is configured; without one nothing is recorded.
 */

export const TRACER_NAME = 'starkbank-payouts';

/**
 * The workflow side of tracing, bundled with the workflows only when traces are exported: its spans cost the
 * worker more CPU and memory than the payout itself (BENCHMARKS.md), so an untraced worker runs without them.
 */
export const workflowInterceptorModules = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** The prebuilt bundle with the workflow interceptors, written beside the plain one (tools/buildWorkflowBundle.ts). */
export function tracedBundlePath(bundlePath: string): string {
  return bundlePath.replace(/(\.js)?$/, '.traced.js');
}

export interface Tracing {
  /** Whether spans go anywhere: only then do workflows carry the tracing interceptors. */
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

/** Worker options for tracing: activity spans, the workflow interceptors, and the sink for workflow spans. */
export function workerTracingOptions(tracing: Tracing): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      workflowModules: tracing.enabled ? workflowInterceptorModules : [],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
