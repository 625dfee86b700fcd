import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HangingProxy {
  url: string;
  /** While true, refresh grants at the token endpoint get no answer, ever: Keycloak hangs. */
  hangRefreshGrants: boolean;
  /** Refresh grants that reached the proxy, answered or held. */
  readonly refreshGrants: number;
  /** Token-endpoint requests that reached the proxy, by grant_type (the exchange's URN shortened to `token-exchange`). */
  grants(type: string): number;
  /** Stop listening and drop every connection, the held ones too. */
  close(): Promise<void>;
}

const TOKEN_ENDPOINT = /\/protocol\/openid-connect\/token$/;

/**
 * A reverse proxy on 127.0.0.1 in front of Keycloak that counts the grants sent through it
 * and, on request, holds them unanswered: a token endpoint that hangs. Everything else is
 * passed on as it is. (scripts/support/keycloak-proxy.ts plays the WAF; this one, the hang.)
 */
export async function startHangingProxy(target: string): Promise<HangingProxy> {
  const upstream = new URL(target);
  const state = { hang: false, refreshGrants: 0 };
  const grants = new Map<string, number>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const grantType =
        req.method === 'POST' && TOKEN_ENDPOINT.test(req.url ?? '')
          ? (new URLSearchParams(body.toString()).get('grant_type') ?? '').replace(
              'urn:ietf:params:oauth:grant-type:',
              '',
            )
          : undefined;
      if (grantType !== undefined) {
        grants.set(grantType, (grants.get(grantType) ?? 0) + 1);
      }
      const isRefresh = grantType === 'refresh_token';
      if (isRefresh) {
        state.refreshGrants++;
        if (state.hang) {
          return; // No answer: the BFF's own timeout has to end it.
        }
      }
      forward(upstream, req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get hangRefreshGrants() {
      return state.hang;
    },
    set hangRefreshGrants(value: boolean) {
      state.hang = value;
    },
    get refreshGrants() {
      return state.refreshGrants;
    },
    grants: (type) => grants.get(type) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
  const out = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  out.on('error', () => res.writeHead(502).end());
  out.end(body);
}
