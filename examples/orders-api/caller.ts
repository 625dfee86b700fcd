import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ApiError, insufficientScope, invalidToken, missingToken } from './errors';
import { type Access, grants } from './permissions';
import { REFUSE_HEADER, type Refusal, type Refusals } from './refusals';
import type { AccessClaims, TokenVerifier } from './token-verifier';

/** Who called, once the bearer token is verified. */
export interface Caller {
  token: string;
  claims: AccessClaims;
  /** Set when the request carried the refuse header. */
  refusal?: Refusal;
}

// Kept beside the request rather than declared on FastifyRequest: a module augmentation here
// would change Fastify's types for the whole repository, the BFF included.
const callers = new WeakMap<FastifyRequest, Caller>();

export function callerOf(request: FastifyRequest): Caller | undefined {
  return callers.get(request);
}

/** Every value of a header as received (Node keeps only the first Authorization in `headers`). */
export function rawHeaderValues(request: FastifyRequest, name: string): string[] {
  const raw = request.raw.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === name) {
      values.push(String(raw[i + 1] ?? ''));
    }
  }
  return values;
}

// RFC 6750 §2.1: the scheme is case-insensitive, the token is b64token.
const BEARER_SCHEME = /^Bearer(\s|$)/i;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The Authorization headers received that use the Bearer scheme, well-formed or not. */
export function bearerCredentials(request: FastifyRequest): string[] {
  return rawHeaderValues(request, 'authorization').filter((value) => BEARER_SCHEME.test(value));
}

export interface AuthOptions {
  verifier: TokenVerifier;
  refusals: Refusals;
  /** Challenge realm: the audience. */
  realm: string;
  /** Whose client roles count. */
  clientId: string;
}

/**
 * An onRequest hook, so a refused request never has its body parsed or streamed.
 * `access` undefined: a token is optional (public routes), but one that comes must be valid.
 */
export function authenticate(options: AuthOptions, access?: Access): onRequestAsyncHookHandler {
  return async (request) => {
    const credentials = bearerCredentials(request);
    if (credentials.length > 1) {
      // RFC 6750 §3.1: more than one token is invalid_request.
      throw new ApiError(400, 'invalid_request', 'More than one bearer token was sent');
    }
    const [credential] = credentials;
    const token = credential === undefined ? undefined : BEARER.exec(credential)?.[1];
    if (credential !== undefined && token === undefined) {
      throw new ApiError(400, 'invalid_request', 'The Authorization header is not Bearer <token>');
    }
    if (token === undefined) {
      if (access === undefined) {
        return;
      }
      throw missingToken(options.realm);
    }
    const claims = await options.verifier.verify(token);
    const caller: Caller = { token, claims, refusal: refusalOf(request, options) };
    callers.set(request, caller);
    if (access !== undefined && !grants(claims, options.clientId, access)) {
      throw insufficientScope(options.realm, options.clientId, access);
    }
  };
}

function refusalOf(request: FastifyRequest, options: AuthOptions): Refusal | undefined {
  const header = request.headers[REFUSE_HEADER];
  if (header === undefined) {
    return undefined;
  }
  const refusal = options.refusals.next(Array.isArray(header) ? header.join(',') : header);
  if (refusal === undefined) {
    throw new ApiError(
      400,
      'invalid_request',
      `${REFUSE_HEADER} must be <key> or <key>:<times> (key: letters, digits, _ . -)`,
    );
  }
  if (refusal.refused) {
    throw invalidToken(
      options.realm,
      `Refused on request (${REFUSE_HEADER}, attempt ${refusal.attempt})`,
      {
        extra: { attempt: refusal.attempt },
      },
    );
  }
  return refusal;
}
