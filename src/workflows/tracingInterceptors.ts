import {
  defaultPayloadConverter,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type * as SdkTracing from '@temporalio/interceptors-opentelemetry/lib/workflow';

/**
 * The workflow side of tracing, in every workflow bundle whether traces are exported or not (one workflow code). A
 * run is traced when the call that started it was: its start headers carry a sampled trace context. Only then are
 * the SDK's OpenTelemetry interceptors loaded for it. Each workflow has its own module cache, so loading them for
 * every run would put a tracer and OpenTelemetry's modules in every cached payout, traced or not. The choice comes
 * from the run's history, so a replay makes it the same way whatever the replaying worker's tracing setting.
 */
export const interceptors = (): WorkflowInterceptors => {
  let sdk: { inbound: object; outbound: object; internals: object } | undefined;
  const inbound = relay<WorkflowInboundCallsInterceptor>(
    () => sdk?.inbound,
    ['handleSignal', 'handleUpdate', 'validateUpdate', 'handleQuery'],
  );
  inbound.execute = (input, next) => {
    if (startedTraced(input.headers)) {
      // Loaded here, not imported: an untraced run never evaluates OpenTelemetry.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const tracing = require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof SdkTracing;
      sdk = {
        inbound: new tracing.OpenTelemetryInboundInterceptor(),
        outbound: new tracing.OpenTelemetryOutboundInterceptor(),
        internals: new tracing.OpenTelemetryInternalsInterceptor(),
      };
    }
    return sdk ? (sdk.inbound as Required<WorkflowInboundCallsInterceptor>).execute(input, next) : next(input);
  };
  return {
    inbound: [inbound],
    outbound: [
      relay<WorkflowOutboundCallsInterceptor>(
        () => sdk?.outbound,
        [
          'scheduleActivity',
          'scheduleLocalActivity',
          'startNexusOperation',
          'startChildWorkflowExecution',
          'continueAsNew',
          'signalWorkflow',
          'getLogAttributes',
          'getMetricTags',
        ],
      ),
    ],
    internals: [relay<WorkflowInternalsInterceptor>(() => sdk?.internals, ['dispose'])],
  };
};

/** The header the SDK's tracing interceptors carry the caller's context in (a W3C `traceparent` carrier). */
const TRACE_HEADER = '_tracer-data';

/** Whether these start headers carry a trace context whose caller records it (the `sampled` flag). */
export function startedTraced(headers: WorkflowExecuteInput['headers']): boolean {
  const payload = headers[TRACE_HEADER];
  if (!payload) return false;
  const carrier = defaultPayloadConverter.fromPayload<{ traceparent?: unknown } | null>(payload);
  const flags = typeof carrier?.traceparent === 'string' ? carrier.traceparent.split('-')[3] : undefined;
  return flags !== undefined && (parseInt(flags, 16) & 1) === 1;
}

/** An interceptor whose methods go to `target()`'s when it has them, and straight on otherwise. */
function relay<I extends object>(target: () => object | undefined, methods: (keyof I & string)[]): I {
  type Method = (input: unknown, next: (input: unknown) => unknown) => unknown;
  const relayed: Record<string, Method> = {};
  for (const name of methods) {
    relayed[name] = (input, next) => {
      const to = target() as Record<string, Method | undefined> | undefined;
      const method = to?.[name];
      return method ? method.call(to, input, next) : next(input);
    };
  }
  return relayed as I;
}
