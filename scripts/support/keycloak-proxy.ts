import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  userAgent?: string;
  /** W3C Trace Context header the BFF sent, if any (the trace test checks it reached Keycloak). */
  traceparent?: string;
  status: number;
  /** The proxy answered in Keycloak's place (`fault`). */
  faked?: boolean;
}

/** What the proxy answers in Keycloak's place: a WAF or maintenance page, a broken body. */
export interface FakeAnswer {
  status?: number;
  contentType?: string;
  body: string;
}

/** Picks the requests to answer in Keycloak's place; undefined passes a request on. */
export type Fault = (request: SeenRequest) => FakeAnswer | undefined;

export interface KeycloakProxy {
  url: string;
  seen: SeenRequest[];
  /** Answer 403 to everything, as a WAF that blocks the BFF would. */
  refuseAll: boolean;
  /** Answer the requests it picks with garbage instead of Keycloak's answer (unset: none). */
  fault?: Fault;
  /** Stop listening and drop open connections: to the BFF, Keycloak is now down. */
  close(): Promise<void>;
}

/**
 * A small reverse proxy on 127.0.0.1 in front of the real Keycloak. Like the WAFs in the field
 * reports, it can refuse requests that carry no User-Agent (`requireUserAgent`), and answer
 * chosen requests with garbage (`fault`: an HTML page, truncated JSON, `null`). The e2e tests
 * use it to play the WAF or an outage, the bench to count what the BFF asks Keycloak.
 */
export async function startProxy(
  target: string,
  options: { requireUserAgent?: boolean } = {},
): Promise<KeycloakProxy> {
  const targetUrl = new URL(target);
  const seen: SeenRequest[] = [];
  const state: { refuseAll: boolean; fault?: Fault } = { refuseAll: false };
  const server = http.createServer((req, res) => {
    const record: SeenRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      userAgent: req.headers['user-agent'],
      traceparent: [req.headers.traceparent].flat()[0],
      status: 0,
    };
    seen.push(record);
    if (state.refuseAll || (options.requireUserAgent && !req.headers['user-agent'])) {
      record.status = 403;
      res
        .writeHead(403, { 'content-type': 'text/html' })
        .end('<h1>403 Forbidden</h1>request blocked');
      return;
    }
    const fake = state.fault?.(record);
    if (fake) {
      record.status = fake.status ?? 200;
      record.faked = true;
      // The request body is not read: Keycloak never sees it, and the answer does not need it.
      req.resume();
      res
        .writeHead(record.status, { 'content-type': fake.contentType ?? 'application/json' })
        .end(fake.body);
      return;
    }
    const upstream = http.request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host },
      },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get refuseAll() {
      return state.refuseAll;
    },
    set refuseAll(value: boolean) {
      state.refuseAll = value;
    },
    get fault() {
      return state.fault;
    },
    set fault(value: Fault | undefined) {
      state.fault = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A raw request with no User-Agent at all (fetch always adds one; node:http adds none). */
export function getWithoutUserAgent(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}
