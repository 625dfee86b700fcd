import { randomBytes } from 'node:crypto';
import { freePort } from '../scripts/keycloak/distribution';
import { type KeycloakProxy, startProxy } from '../scripts/support/keycloak-proxy';
import { kc, passwordGrant } from './utils/keycloak';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './utils/otlp-receiver';
import { demoServiceEnv, type Run, runService, waitForLive } from './utils/service-process';

interface LogLine {
  reqId?: string;
  req?: { path?: string };
  trace_id?: string;
  span_id?: string;
}

const SERVER = 2;
const CLIENT = 3;
const TOKEN_PATH = '/realms/demo/protocol/openid-connect/token';

/** A traceparent as an SPA's own instrumentation would send it (W3C Trace Context §3.2). */
function spaTraceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

async function stop(run: Run): Promise<void> {
  run.child.kill('SIGTERM');
  await run.exited;
}

/** The spans of one trace, once the BFF's server span and its Keycloak client span are in. */
async function traceOf(receiver: OtlpReceiver, traceId: string): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    if (spans.some((s) => s.kind === SERVER) && spans.some((s) => s.kind === CLIENT)) {
      return spans;
    }
    if (Date.now() > deadline) {
      throw new Error(`trace ${traceId} incomplete: ${JSON.stringify(spans)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Tracing (built service, real Keycloak, in-test OTLP/HTTP receiver)', () => {
  let proxy: KeycloakProxy;
  let receiver: OtlpReceiver;
  let alice: string;

  beforeAll(async () => {
    // Keycloak behind a proxy that records the traceparent each call carried.
    proxy = await startProxy(kc.url());
    receiver = await startOtlpReceiver();
    alice = (await passwordGrant('alice', 'alice-password')).access_token;
  });

  afterAll(async () => {
    await receiver.close();
    await proxy.close();
  });

  const start = async (extra: Record<string, string>): Promise<{ run: Run; port: number }> => {
    const port = await freePort();
    const run = runService(
      demoServiceEnv(port, {
        KEYCLOAK_URL: proxy.url,
        KEYCLOAK_PUBLIC_URL: kc.url(),
        TOKEN_EXCHANGE_AUDIENCES: 'orders-api',
        LOG_LEVEL: 'info',
        ...extra,
      }),
    );
    await waitForLive(port, run);
    return { run, port };
  };

  const exchange = (port: number, traceparent: string) =>
    fetch(`http://127.0.0.1:${port}/token-exchange`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice}`,
        'content-type': 'application/json',
        traceparent,
      },
      body: JSON.stringify({ audience: 'orders-api' }),
    });

  it("should put the SPA's request, the BFF's span and its Keycloak token-exchange call in one trace, and hand Keycloak the traceparent", async () => {
    const { run, port } = await start({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'bff-under-test',
    });
    try {
      const spa = spaTraceparent();
      const seenBefore = proxy.seen.length;

      const res = await exchange(port, spa.header);

      expect(res.status).toBe(200);
      const spans = await traceOf(receiver, spa.traceId);
      // The BFF's server span continues the SPA's span and is named after the route.
      const server = spans.filter((s) => s.kind === SERVER);
      expect(server).toHaveLength(1);
      expect(server[0]?.parentSpanId).toBe(spa.spanId);
      expect(server[0]?.name).toBe('POST /token-exchange');
      expect(server[0]?.attributes['http.route']).toBe('/token-exchange');
      // One call to Keycloak: the token exchange at the token endpoint, a child in this trace.
      const calls = spans.filter((s) => s.kind === CLIENT);
      expect(calls).toHaveLength(1);
      const call = calls[0] as ReceivedSpan;
      const keycloakSide = proxy.seen
        .slice(seenBefore)
        .filter((r) => r.method === 'POST' && r.path === TOKEN_PATH);
      expect(keycloakSide).toHaveLength(1);
      // Keycloak received the same trace, with the client span as its parent.
      expect(keycloakSide[0]?.traceparent).toBe(`00-${spa.traceId}-${call.spanId}-01`);
      // Every log line of the request names the trace.
      const logged = run
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine);
      const reqId = logged.find((l) => l.req?.path === '/token-exchange')?.reqId;
      expect(reqId).toBeDefined();
      const lines = logged.filter((l) => l.reqId === reqId);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.map((l) => l.trace_id)).toEqual(lines.map(() => spa.traceId));
      expect(lines.every((l) => typeof l.span_id === 'string' && l.span_id.length === 16)).toBe(
        true,
      );
    } finally {
      await stop(run);
    }
  });

  it('should trace a request whose traceparent says sampled and turn away one without, at ratio 0', async () => {
    const { run, port } = await start({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    });
    try {
      const seenBefore = proxy.seen.length;
      const sampled = spaTraceparent();
      const unsampled = spaTraceparent();

      expect((await exchange(port, sampled.header)).status).toBe(200);
      expect((await exchange(port, unsampled.header.replace(/-01$/, '-00'))).status).toBe(200);
      const noParent = await fetch(`http://127.0.0.1:${port}/token-exchange`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({ audience: 'orders-api' }),
      });
      expect(noParent.status).toBe(200);

      await traceOf(receiver, sampled.traceId);
      const calls = proxy.seen.slice(seenBefore).filter((r) => r.path === TOKEN_PATH);
      expect(calls).toHaveLength(3);
      // Only the sampled request's call to Keycloak carried a traceparent.
      expect(calls.map((c) => c.traceparent?.split('-')[1])).toEqual([
        sampled.traceId,
        undefined,
        undefined,
      ]);
      expect(receiver.spans.filter((s) => s.traceId === unsampled.traceId)).toEqual([]);
    } finally {
      await stop(run);
    }
  });

  it('should neither export spans nor send traceparent to Keycloak while OTEL_* leaves tracing off', async () => {
    const { run, port } = await start({});
    try {
      const spa = spaTraceparent();
      const postsBefore = receiver.posts;
      const seenBefore = proxy.seen.length;

      const res = await exchange(port, spa.header);

      expect(res.status).toBe(200);
      const calls = proxy.seen.slice(seenBefore).filter((r) => r.path === TOKEN_PATH);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.traceparent).toBeUndefined();
      expect(run.stdout()).not.toContain(spa.traceId);
      expect(receiver.posts).toBe(postsBefore);
    } finally {
      await stop(run);
    }
  });
});
