import { DOCTOR_CHECK_NAMES } from '../common/doctor-check-names';
import { errorClass, errorTable, type ProblemError } from '../common/errors/problem.error';
import { KeycloakError, KeycloakResponseError, keptFrom } from '../keycloak/keycloak.errors';
import { mapTokenEndpointError } from '../keycloak/token-endpoint.errors';
import { TokenRejectedError } from '../keycloak/token.errors';

/** Codes of the token-exchange module; docs/errors.md lists each with its meaning. */
export const TOKEN_EXCHANGE_ERRORS = errorTable({
  TOKEN_EXCHANGE_FORBIDDEN: [403, 'Token exchange not allowed by the BFF'],
  TOKEN_EXCHANGE_DENIED: [403, 'Token exchange denied'],
  TOKEN_EXCHANGE_NOT_ENABLED: [502, 'Token exchange is not enabled for the BFF client'],
  AUDIENCE_NOT_AVAILABLE: [400, 'Audience not available'],
  ACCOUNT_NOT_LINKED: [400, 'Account not linked'],
  REQUESTED_TOKEN_TYPE_UNSUPPORTED: [400, 'Requested token type not allowed'],
  REQUESTED_SUBJECT_NOT_FOUND: [400, 'Requested subject not found'],
  SUBJECT_TOKEN_INVALID: [400, 'External token refused'],
  TOKEN_EXCHANGE_INVALID_REQUEST: [400, 'Token exchange request refused'],
  IDENTITY_PROVIDER_NOT_FOUND: [502, 'Identity provider not found'],
  ACCOUNT_EXISTS: [409, 'Account exists but is not linked'],
});

export type TokenExchangeErrorCode = keyof typeof TOKEN_EXCHANGE_ERRORS;

/** Every refusal of the token-exchange module: the status and title follow from the code. */
export class TokenExchangeError extends errorClass(TOKEN_EXCHANGE_ERRORS) {}

/** The BFF's own rules, named in the 403 so an operator knows which setting refused. */
export type ExchangeRule =
  | 'session-caller'
  | 'audience-required'
  | 'audience-allow-list'
  | 'impersonation-disabled'
  | 'impersonation-role'
  | 'external-exchange-disabled'
  | 'external-issuer-allow-list';

/** A request the BFF refuses before Keycloak sees it. */
export class TokenExchangeForbiddenError extends TokenExchangeError {
  constructor(rule: ExchangeRule, detail: string, hint: string) {
    super('TOKEN_EXCHANGE_FORBIDDEN', detail, { hint, extensions: { rule } });
  }
}

/** What was asked, so a mapped error can name it. */
export interface ExchangeContext {
  clientId: string;
  audiences: string[];
  requestedTokenType: string;
  kind: 'standard' | 'impersonation' | 'external-in' | 'external-out';
  issuer?: string;
}

interface Rule {
  error?: RegExp;
  description: RegExp;
  make: (e: KeycloakResponseError, ctx: ExchangeContext) => ProblemError;
}

const said = (e: KeycloakResponseError): string =>
  e.upstream?.error_description ?? 'no description';

const invalidScope = (e: KeycloakResponseError, hint: string): ProblemError =>
  new KeycloakError('INVALID_SCOPE', said(e), { hint, ...keptFrom(e) });

const idpPermissionHint = (ctx: ExchangeContext): string =>
  `Grant the legacy fine-grained permission "token-exchange" on identity provider '${ctx.issuer ?? '?'}' to '${ctx.clientId}' (Identity providers → ${ctx.issuer ?? 'alias'} → Permissions).`;

/** Keycloak answers every legacy denial with the same text; these say where to look. */
const DENIED_HINTS: Record<ExchangeContext['kind'], (ctx: ExchangeContext) => string> = {
  standard: (ctx) =>
    `Turn on "Standard token exchange" on client '${ctx.clientId}' (with the legacy token-exchange feature on, Keycloak reports it being off this way), or grant the legacy fine-grained permission "token-exchange" on the audience client to '${ctx.clientId}'.`,
  impersonation: (ctx) =>
    `The user to impersonate may not exist or be disabled (Keycloak does not say which). Otherwise grant the legacy fine-grained permissions: Users → Permissions → "impersonate" with a policy matching the calling user, "user-impersonated" for the target, and "token-exchange" on any audience client for '${ctx.clientId}'.`,
  'external-in': (ctx) => idpPermissionHint(ctx),
  'external-out': (ctx) => idpPermissionHint(ctx),
};

/**
 * Keycloak's token-exchange refusals (standard V2 and legacy V1), matched on its own texts; first
 * match wins. Anything else falls through to the token endpoint's shared table.
 */
const EXCHANGE_RULES: Rule[] = [
  {
    error: /^not_linked$/,
    description: /./,
    make: (e, ctx) =>
      new TokenExchangeError(
        'ACCOUNT_NOT_LINKED',
        `The user has no link to identity provider '${ctx.issuer ?? '?'}' yet`,
        {
          hint: 'Send the user through accountLinkUrl in a browser (client-initiated account linking), then retry.',
          extensions: e.accountLinkUrl ? { accountLinkUrl: e.accountLinkUrl } : undefined,
          ...keptFrom(e),
        },
      ),
  },
  {
    description: /audience not available|audience not found|invalid audience|client not found/i,
    make: (e, ctx) =>
      new TokenExchangeError(
        'AUDIENCE_NOT_AVAILABLE',
        `Keycloak cannot issue a token for ${ctx.audiences.map((a) => `'${a}'`).join(', ') || 'that audience'}: ${said(e)}`,
        {
          hint: `The user needs a role of the audience client (or the client an audience mapper for it), and the client must exist in the realm; check the audience's spelling. \`npm run doctor\` with a test user (check '${DOCTOR_CHECK_NAMES.tokenExchange}', or '${DOCTOR_CHECK_NAMES.proxyRoutes}' for a route's audience) prints the kcadm.sh command that adds the mapper.`,
          ...keptFrom(e),
        },
      ),
  },
  {
    error: /^invalid_scope$/,
    description: /./,
    make: (e) =>
      invalidScope(
        e,
        "Ask only for client scopes assigned to the BFF's client (default or optional) that the subject token's scope allows.",
      ),
  },
  {
    description:
      /standard token exchange is not enabled|token exchange (feature )?(is )?(disabled|not enabled)/i,
    make: (e, ctx) =>
      new TokenExchangeError(
        'TOKEN_EXCHANGE_NOT_ENABLED',
        `Keycloak refused the exchange: ${said(e)}`,
        {
          hint: `Turn on "Standard token exchange" on client '${ctx.clientId}' (attribute standard.token.exchange.enabled=true); impersonation and external tokens also need Keycloak started with --features=token-exchange,admin-fine-grained-authz:v1.`,
          ...keptFrom(e),
        },
      ),
  },
  {
    description: /not within the token audience/i,
    make: (e, ctx) =>
      new TokenExchangeError(
        'TOKEN_EXCHANGE_DENIED',
        `The subject token was not issued for client '${ctx.clientId}': ${said(e)}`,
        {
          hint: `Add an audience mapper that puts '${ctx.clientId}' into the aud of access tokens (Client scopes → ${ctx.clientId}-dedicated → Add mapper → Audience).`,
          ...keptFrom(e),
        },
      ),
  },
  {
    description: /not allowed to exchange|not allowed to impersonate|client not allowed|forbidden/i,
    make: (e, ctx) =>
      new TokenExchangeError(
        'TOKEN_EXCHANGE_DENIED',
        `Keycloak's permissions refuse this exchange for client '${ctx.clientId}': ${said(e)}`,
        { hint: DENIED_HINTS[ctx.kind](ctx), ...keptFrom(e) },
      ),
  },
  {
    description: /scope .*not allowed/i,
    make: (e) => invalidScope(e, 'Leave that scope out of a token exchange.'),
  },
  {
    description: /requested_token_type unsupported|not valid as requested_token_type/i,
    make: (e, ctx) =>
      new TokenExchangeError(
        'REQUESTED_TOKEN_TYPE_UNSUPPORTED',
        `Keycloak will not issue a ${ctx.requestedTokenType.replace(/^urn:ietf:params:oauth:token-type:/, '')} for this exchange`,
        {
          hint: ctx.requestedTokenType.endsWith(':refresh_token')
            ? `Allow refresh tokens for standard token exchange on client '${ctx.clientId}' (attribute standard.token.exchange.enableRefreshRequestedTokenType=SAME_SESSION), or ask for an access_token.`
            : 'Ask for access_token, or a type the client supports for this kind of exchange.',
          ...keptFrom(e),
        },
      ),
  },
  {
    error: /^(invalid_issuer|invalid_request)$/,
    description: /invalid (subject_)?issuer/i,
    make: (e, ctx) =>
      new TokenExchangeError(
        'IDENTITY_PROVIDER_NOT_FOUND',
        `Realm has no identity provider '${ctx.issuer ?? '?'}', though TOKEN_EXCHANGE_EXTERNAL_ISSUERS lists it`,
        {
          hint: 'Create the identity provider with that alias in Keycloak, or remove the alias from TOKEN_EXCHANGE_EXTERNAL_ISSUERS.',
          ...keptFrom(e),
        },
      ),
  },
  {
    description: /user already exists/i,
    make: (e, ctx) =>
      new TokenExchangeError(
        'ACCOUNT_EXISTS',
        `A user with the external account's username or email already exists and is not linked to '${ctx.issuer ?? '?'}'`,
        {
          hint: 'The user logs in and links the account (account console or client-initiated linking); then the exchange finds the link.',
          ...keptFrom(e),
        },
      ),
  },
  {
    description: /requested subject not found|user not found|invalid (requested_)?subject/i,
    make: (e) =>
      new TokenExchangeError(
        'REQUESTED_SUBJECT_NOT_FOUND',
        `Keycloak has no such user to impersonate: ${said(e)}`,
        {
          hint: 'Pass the username or the user id of an existing, enabled user as requested_subject.',
          ...keptFrom(e),
        },
      ),
  },
];

/** Failures on an *external* subject token are the caller's: its token, not our session. */
const EXTERNAL_TOKEN_REFUSED =
  /invalid token|token (is )?(not active|expired|invalid)|signature|issuer|userinfo|validation/i;

/** Maps a failed exchange to our contract; unmatched errors go to the token endpoint's table. */
export function mapTokenExchangeError(err: unknown, ctx: ExchangeContext): unknown {
  if (!(err instanceof KeycloakResponseError)) {
    return err;
  }
  const error = err.upstream?.error ?? '';
  const description = err.upstream?.error_description ?? '';
  const rule = EXCHANGE_RULES.find(
    (r) => (r.error?.test(error) ?? true) && r.description.test(description),
  );
  if (rule) {
    return rule.make(err, ctx);
  }
  // Keycloak answers 500 to an external token it cannot parse: the token is the caller's.
  const unparseable = err.upstream?.status === 500;
  if (ctx.kind === 'external-in' && (unparseable || EXTERNAL_TOKEN_REFUSED.test(description))) {
    return new TokenExchangeError(
      'SUBJECT_TOKEN_INVALID',
      `Keycloak could not validate the token from '${ctx.issuer ?? '?'}': ${description}`,
      {
        hint: 'Send a current access token issued by that identity provider, and check the provider settings (issuer, JWKS URL or userinfo URL) in Keycloak.',
        ...keptFrom(err),
      },
    );
  }
  // Our bearer passed local checks but Keycloak no longer accepts it (its session ended).
  if (/invalid token|token (is )?not active|session/i.test(description)) {
    return new TokenRejectedError(
      'SESSION_NOT_ACTIVE',
      `Keycloak refused the subject token: ${description}`,
      { hint: 'Log in again.', ...keptFrom(err) },
    );
  }
  const mapped = mapTokenEndpointError(err, 'exchange', ctx.clientId);
  // Keycloak refused a parameter combination we do not know by name: still the request's fault.
  if (mapped === err && err.upstream?.status === 400 && error === 'invalid_request') {
    return new TokenExchangeError(
      'TOKEN_EXCHANGE_INVALID_REQUEST',
      `Keycloak refused the exchange request: ${description || 'invalid_request'}`,
      {
        hint: 'Check the combination of audience, scope, requested_token_type, requested_subject and the issuer fields.',
        ...keptFrom(err),
      },
    );
  }
  return mapped;
}
