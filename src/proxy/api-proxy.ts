import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { propagation } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { ForbiddenRoleError } from '../auth/auth.errors';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CredentialPipeline } from '../auth/credential-pipeline';
import { HttpError } from '../common/errors/http-errors';
import { answerWithProblem } from '../common/filters/problem-details.filter';
import type { ApiRoute } from '../config/api-route.entry';
import { apiRoutesConfig } from '../config/api-routes.config';
import { sessionConfig } from '../config/session.config';
import { MetricsService } from '../common/metrics/metrics.service';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers';
import { ProxyError } from './proxy.errors';
import { type RouteToken, RouteTokens } from './route-tokens';

/**
 * Methods forwarded. OPTIONS is not: a CORS preflight is the BFF's to answer (its CORS rules
 * guard the cookie), and an API's own OPTIONS would bypass them.
 */
const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** RFC 9110 §9.2.2; without a body, so the retry can send the same request again. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** RFC 6750 §3.1: the API refused the token itself (expired, revoked, key rotated). */
const INVALID_TOKEN = /error\s*=\s*"?invalid_token"?/i;

/** Policies that forward without a caller; the others answer 401 without one. */
const ANONYMOUS_OK = new Set<ApiRoute['token']>(['none', 'user-or-none']);

class BodyTooLargeError extends HttpError {
  constructor(limit: number) {
    super(
      'PAYLOAD_TOO_LARGE',
      `The request body is larger than this route's limit of ${limit} bytes`,
      {
        hint: "Send a smaller body, or raise the route's bodyLimitBytes in API_ROUTES_FILE.",
      },
    );
  }
}

/** One forwarding of one request: what a retry needs to know. */
interface Forwarding {
  readonly route: ApiRoute;
  readonly caller: AuthenticatedUser | undefined;
  readonly url: string;
  token: RouteToken | undefined;
  attempt: number;
  retry: boolean;
  tooLarge?: BodyTooLargeError;
  /** process.hrtime.bigint() when the request reached the proxy. */
  readonly startedAt: bigint;
}

/**
 * The API proxy (docs/proxy.md): each route of API_ROUTES_FILE forwards its requests to its
 * target with the token its policy names, and the browser's credentials stay here.
 *
 * The routes are plain Fastify routes in their own encapsulated context, beside Nest's: their
 * bodies must stream both ways (a Nest handler gets a parsed body), so the context's only body
 * parser hands the request stream on unread, and @fastify/reply-from (undici) forwards it.
 * Authentication is the global guard's credential pipeline (CredentialPipeline); errors are the
 * same problem+json as everywhere else.
 */
@Injectable()
export class ApiProxy implements OnModuleInit {
  private readonly logger = new Logger(ApiProxy.name);
  private readonly ownCookies: ReadonlySet<string>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly credentials: CredentialPipeline,
    private readonly tokens: RouteTokens,
    @Inject(apiRoutesConfig.KEY) private readonly config: ConfigType<typeof apiRoutesConfig>,
    @Inject(sessionConfig.KEY) private readonly session: ConfigType<typeof sessionConfig>,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.ownCookies = new Set([session.cookieName, session.loginCookieName]);
  }

  /**
   * Whether OpenTelemetry propagates trace context (tracing on, docs/observability.md): then its
   * undici instrumentation writes `traceparent` into every upstream request itself, and one of
   * ours beside it would make two.
   */
  private otelPropagates = false;

  onModuleInit(): void {
    if (this.config.routes.length === 0) {
      return;
    }
    this.otelPropagates = propagation.fields().includes('traceparent');
    this.metrics?.allowLabels(
      'route',
      this.config.routes.map((route) => route.prefix),
    );
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register((instance, _opts, done) => this.mount(instance, done));
  }

  private mount(instance: FastifyInstance, done: (err?: Error) => void): void {
    // The API's request logs are its own; ours already has one line per request.
    void instance.register(replyFrom, { disableRequestLogging: true });
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, payload, next) => next(null, payload));
    for (const route of this.config.routes) {
      const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
        this.forward(route, request, reply);
      // The API's answers carry the API's headers: helmet's (a CSP and the rest for the BFF's
      // own pages) are not added, and not paid for on every proxied call; nosniff is.
      for (const url of [route.prefix, `${route.prefix}/*`]) {
        instance.route({ method: METHODS, url, handler, helmet: false });
      }
    }
    this.logger.log(
      `API proxy: ${this.config.routes.map((r) => `${r.prefix} → ${r.target} (${r.token})`).join(', ')}`,
    );
    done();
  }

  /** Resolves to the reply, which tells Fastify the answer is on its way (streamed later). */
  private async forward(
    route: ApiRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const startedAt = process.hrtime.bigint();
    try {
      checkBodySize(route, request);
      const caller = await this.caller(route, request, reply);
      const forwarding: Forwarding = {
        route,
        caller,
        url: upstreamUrl(route, request.url),
        token: await this.tokens.tokenFor(route, caller),
        attempt: 1,
        retry: false,
        startedAt,
      };
      if (request.body !== undefined && request.body !== null) {
        request.body = limitBody(request.body as Readable, route.bodyLimitBytes, forwarding);
      }
      this.send(forwarding, request, reply);
    } catch (err: unknown) {
      answerWithProblem(err, request, reply);
    }
    return reply;
  }

  /** The route's caller, or undefined where the policy forwards anonymous requests. */
  private async caller(
    route: ApiRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<AuthenticatedUser | undefined> {
    if (route.token === 'none') {
      // Nothing of the caller's goes upstream, so there is nothing to check or protect.
      return undefined;
    }
    const verdict = await this.credentials.authenticate(request, reply);
    if (verdict.user === undefined) {
      if (ANONYMOUS_OK.has(route.token)) {
        return undefined;
      }
      throw verdict.missing;
    }
    if (route.roles.length > 0 && !route.roles.some((role) => verdict.user.roles.includes(role))) {
      throw new ForbiddenRoleError([...route.roles]);
    }
    return verdict.user;
  }

  private send(forwarding: Forwarding, request: FastifyRequest, reply: FastifyReply): void {
    const { route } = forwarding;
    const forwarded = {
      forwardedFor: [...(request.ips ?? [request.ip])].reverse().join(', '),
      proto: request.protocol,
      host: request.host,
      requestId: String(request.id),
    };
    void reply.from(forwarding.url, {
      timeout: route.timeoutMs,
      // Never retried by reply-from itself: a retry is ours to decide (below).
      retriesCount: 0,
      retryDelay: () => null,
      rewriteRequestHeaders: (_request, headers) =>
        upstreamRequestHeaders(
          headers,
          this.session.csrfHeader,
          forwarding.token?.token,
          forwarded,
          this.otelPropagates,
        ),
      rewriteHeaders: (headers) => {
        if (this.shouldRetry(forwarding, request, headers)) {
          forwarding.retry = true;
          return {};
        }
        return downstreamResponseHeaders(headers, this.ownCookies);
      },
      onResponse: (_request, _reply, res) => {
        const upstream = res as unknown as { stream: IncomingMessage };
        if (forwarding.retry) {
          upstream.stream.resume();
          void this.retry(forwarding, request, reply);
          return;
        }
        void reply.send(upstream.stream);
      },
      onError: (_reply, { error }) =>
        answerWithProblem(upstreamError(error, forwarding), request, reply),
    });
  }

  /** Time from the request's arrival to the API's answer (or the proxy's failure), by route. */
  private measure(forwarding: Forwarding, status: number): void {
    const seconds = Number(process.hrtime.bigint() - forwarding.startedAt) / 1e9;
    this.metrics?.proxyRequest(forwarding.route.prefix, status, seconds);
  }

  /**
   * An API 401 with `error="invalid_token"` to a token we cached: the token went bad before its
   * `exp` (revoked, key rotated). Forget it and send once more with a fresh one, when the
   * request can be sent again (idempotent, no body).
   */
  private shouldRetry(
    forwarding: Forwarding,
    request: FastifyRequest,
    headers: IncomingHttpHeaders,
  ): boolean {
    const challenge = headers['www-authenticate'];
    return (
      forwarding.attempt === 1 &&
      forwarding.token?.cacheKey !== undefined &&
      IDEMPOTENT.has(request.method) &&
      (request.body === undefined || request.body === null) &&
      typeof challenge === 'string' &&
      INVALID_TOKEN.test(challenge)
    );
  }

  private async retry(
    forwarding: Forwarding,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    try {
      if (forwarding.token) {
        this.tokens.forget(forwarding.token);
      }
      forwarding.token = await this.tokens.tokenFor(forwarding.route, forwarding.caller);
      forwarding.attempt = 2;
      forwarding.retry = false;
      this.send(forwarding, request, reply);
    } catch (err: unknown) {
      answerWithProblem(err, request, reply);
    }
  }
}

/**
 * The upstream URL: the target followed by the request's path (less the prefix with
 * stripPrefix) and query string, still percent-encoded as the browser sent them. Dot segments,
 * encoded or not, are refused: they would climb out of the target's path.
 */
export function upstreamUrl(route: ApiRoute, requestUrl: string): string {
  const rest = route.stripPrefix ? requestUrl.slice(route.prefix.length) : requestUrl;
  const queryAt = rest.indexOf('?');
  const path = queryAt < 0 ? rest : rest.slice(0, queryAt);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new ProxyError('PROXY_PATH_INVALID', 'The path has a malformed percent-encoding');
  }
  if (decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.')) {
    throw new ProxyError('PROXY_PATH_INVALID', 'The path has a . or .. segment', {
      hint: 'Send the path the API expects, without dot segments.',
    });
  }
  return `${route.target}${rest}`;
}

function checkBodySize(route: ApiRoute, request: FastifyRequest): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > route.bodyLimitBytes) {
    throw new BodyTooLargeError(route.bodyLimitBytes);
  }
}

/** The body as it streams upstream, stopped once it passes the route's limit (chunked uploads). */
function limitBody(body: Readable, limit: number, forwarding: Forwarding): Readable {
  let seen = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      seen += chunk.length;
      if (seen > limit) {
        forwarding.tooLarge = new BodyTooLargeError(limit);
        next(forwarding.tooLarge);
        return;
      }
      next(null, chunk);
    },
  });
  body.on('error', (err) => counted.destroy(err));
  return body.pipe(counted);
}

/** reply-from's failure as our named error. */
function upstreamError(error: Error, forwarding: Forwarding): Error {
  if (forwarding.tooLarge) {
    return forwarding.tooLarge;
  }
  const code = (error as { code?: string }).code ?? '';
  const target = new URL(forwarding.url).host;
  if (/TIMEOUT/.test(code)) {
    return new ProxyError(
      'UPSTREAM_TIMEOUT',
      `The API at ${target} did not answer within ${forwarding.route.timeoutMs} ms`,
      {
        hint: "If the API is just slow, raise the route's timeoutMs in API_ROUTES_FILE.",
        cause: error,
      },
    );
  }
  return new ProxyError('UPSTREAM_UNAVAILABLE', `The API at ${target} could not be reached`, {
    hint: `Check that the API is running and that the route's target (${forwarding.route.target}) is right.`,
    cause: error,
  });
}
