import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { VERSION } from '../common/version';
import { tracingState } from './route-names';

/**
 * Whether the standard OTEL_* variables ask for traces: an OTLP endpoint or the `otlp` traces
 * exporter, and the SDK not disabled. Off by default: a BFF nobody collects traces from should
 * not pay for them. (OpenTelemetry SDK environment variables:
 * https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/)
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return false;
  }
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim());
  if (exporters.includes('none')) {
    return false;
  }
  return (
    exporters.includes('otlp') ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}

/**
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the spec defines them; the default is
 * parentbased_always_on. A ratio sampler is wrapped in ParentBased unless asked otherwise, so an
 * SPA's or gateway's sampling decision (the traceparent's flag) is kept: one trace is either
 * whole or absent.
 */
export function samplerFrom(env: NodeJS.ProcessEnv): Sampler {
  const name = samplerName(env);
  const ratio = samplerRatio(env);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function samplerName(env: NodeJS.ProcessEnv): string {
  return (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
}

function samplerRatio(env: NodeJS.ProcessEnv): number {
  const parsed = Number(env.OTEL_TRACES_SAMPLER_ARG);
  return Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 1;
}

/**
 * parentbased_traceidratio below 1: the incoming request's draw moves to the sampling gate
 * (sampling-gate.ts), which turns unsampled requests away before the HTTP instrumentation; the
 * tracer then samples what the gate let through (parent-based always-on). Its outgoing calls
 * and child spans follow their parent as before.
 */
export function gateRatioFrom(env: NodeJS.ProcessEnv): number | undefined {
  const ratio = samplerRatio(env);
  return samplerName(env) === 'parentbased_traceidratio' && ratio < 1 ? ratio : undefined;
}

/** Incoming requests not worth a trace: the scrape and the orchestrator's probes. */
const UNTRACED_PATHS = /^\/(metrics|health\/(live|ready))(\?|$)/;

let active: NodeTracerProvider | undefined;

/**
 * Starts the tracer provider and the instrumentations: HTTP in and out (the server span, named
 * after the route by nameServerSpans; W3C traceparent to Keycloak, which axios reaches over
 * node:http), undici (fetch, the proxy's upstream calls) and ioredis. Not @fastify/otel: its
 * request and handler spans cost more than the request itself (docs/observability.md). Must run
 * before ioredis or the app's modules are loaded: see register.ts. `exporter` replaces OTLP in
 * tests.
 */
export function startTracing(
  env: NodeJS.ProcessEnv,
  exporter: SpanExporter = new OTLPTraceExporter(),
): NodeTracerProvider {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'keycloak-bff', 'service.version': VERSION }))
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over ours.
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    sampler:
      gateRatioFrom(env) === undefined
        ? samplerFrom(env)
        : new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    // Batched: the exporter runs off the request path; OTEL_BSP_* tune it.
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? ''),
        // Outgoing calls outside any request (JWKS refresh timer, discovery at start) start no
        // trace of their own: they would be noise at every sampling rate.
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  active = provider;
  tracingState.active = true;
  tracingState.gateRatio = gateRatioFrom(env);
  return provider;
}

/** Flushes and stops tracing, if it runs: the last spans of a stopping process still leave. */
export async function stopTracing(): Promise<void> {
  const provider = active;
  active = undefined;
  tracingState.active = false;
  tracingState.gateRatio = undefined;
  await provider?.shutdown();
}
