import type { KeycloakUser } from './keycloak-admin.client';
import type {
  KeycloakExchangeResponse,
  KeycloakTokenResponse,
  UserInfo,
} from './keycloak-token.client';
import type { OidcMetadata } from './oidc-discovery.service';
import type { IntrospectionResponse } from './token-introspector';

/**
 * The shape of every answer the BFF takes from Keycloak, checked where it arrives, so that a
 * WAF or maintenance page, truncated JSON or a body of another type never becomes our success
 * (or a 500 further on). Each answer has one shape below; `callKeycloak` applies it.
 *
 * Hand-written guards rather than class-validator: a garbage body can be anything (null, an
 * array, a string of HTML, a number) and class-transformer's `plainToInstance` maps an array to
 * an array of instances and leaves a string as it is, so every DTO would need its own pre-checks
 * before the decorators apply. A guard is a few lines, names the field that was wrong and what it
 * is instead, and never copies a value into the message: a body can hold tokens.
 */

/** What a field must be. `token` is a non-empty string; `seconds` a finite number ≥ 0. */
type FieldKind =
  'string' | 'token' | 'url' | 'seconds' | 'number' | 'boolean' | 'object' | 'array' | 'string[]';

interface Field {
  kind: FieldKind;
  required: boolean;
}

const required = (kind: FieldKind): Field => ({ kind, required: true });
const optional = (kind: FieldKind): Field => ({ kind, required: false });

/** One kind of answer: what it is called in messages, and what is wrong with a value. */
export interface AnswerShape<T> {
  /** "a token response": the answer the call expects, for messages. */
  readonly name: string;
  /** What is wrong with the value, or undefined when it has this shape. */
  problemWith(value: unknown): string | undefined;
  /** Carries T; never set. */
  readonly __answer?: T;
}

const EXPECTED: Record<FieldKind, string> = {
  string: 'a string',
  token: 'a non-empty string',
  url: 'an http(s) URL',
  seconds: 'a number of seconds',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  'string[]': 'an array of strings',
};

const KIND_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  undefined: 'missing',
};

/** What a JSON value is, in words, without its content. */
function kindOf(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (value === '') {
    return 'an empty string';
  }
  return KIND_WORDS[typeof value] ?? typeof value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function fits(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'token':
      return typeof value === 'string' && value.length > 0;
    case 'url':
      return typeof value === 'string' && isHttpUrl(value);
    case 'seconds':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
  }
}

/** How a value misses a kind: "is missing", "is a number, not a string", "is not an http(s) URL". */
function misfit(kind: FieldKind, value: unknown): string {
  if (value === undefined) {
    return 'is missing';
  }
  const refines: Partial<Record<FieldKind, string>> = {
    token: 'string',
    url: 'string',
    seconds: 'number',
  };
  return typeof value === refines[kind] && value !== ''
    ? `is not ${EXPECTED[kind]}`
    : `is ${kindOf(value)}, not ${EXPECTED[kind]}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object with these fields; fields not listed pass unchecked (Keycloak adds some). */
function objectShape<T>(name: string, fields: Record<string, Field>): AnswerShape<T> {
  return {
    name,
    problemWith(value) {
      if (!isRecord(value)) {
        return `the body is ${kindOf(value)}, not a JSON object`;
      }
      const wrong = Object.entries(fields)
        .filter(([key, field]) => !(value[key] === undefined && !field.required))
        .filter(([key, field]) => !fits(field.kind, value[key]))
        .map(([key, field]) => `${key} ${misfit(field.kind, value[key])}`);
      return wrong.length > 0 ? wrong.join('; ') : undefined;
    },
  };
}

function arrayOf<T>(name: string, item: AnswerShape<T>): AnswerShape<T[]> {
  return {
    name,
    problemWith(value) {
      if (!Array.isArray(value)) {
        return `the body is ${kindOf(value)}, not a JSON array`;
      }
      for (const [index, entry] of value.entries()) {
        const problem = item.problemWith(entry);
        if (problem !== undefined) {
          return `item ${index}: ${problem.replace(/^the body is/, 'it is')}`;
        }
      }
      return undefined;
    },
  };
}

const TOKEN_FIELDS = {
  access_token: required('token'),
  expires_in: required('seconds'),
  refresh_token: optional('token'),
  refresh_expires_in: optional('seconds'),
  id_token: optional('token'),
  scope: optional('string'),
  issued_token_type: optional('string'),
  session_state: optional('string'),
};

export const TOKEN_RESPONSE = objectShape<KeycloakTokenResponse>('a token response', {
  ...TOKEN_FIELDS,
  token_type: required('token'),
});

export const EXCHANGE_RESPONSE = objectShape<KeycloakExchangeResponse>(
  'a token-exchange response',
  { ...TOKEN_FIELDS, token_type: optional('string') },
);

export const USERINFO = objectShape<UserInfo>('userinfo claims', { sub: required('token') });

/**
 * RFC 7662 §2.2: `active` is the one required member. Keycloak adds the token's claims and, with
 * "Support JWT claim in Introspection Response" on the asking client and `Accept:
 * application/jwt`, the full access token as `jwt`.
 */
export const INTROSPECTION_RESPONSE = objectShape<IntrospectionResponse>(
  'an introspection response',
  {
    active: required('boolean'),
    jwt: optional('token'),
    exp: optional('number'),
    iss: optional('string'),
    sub: optional('string'),
    scope: optional('string'),
    realm_access: optional('object'),
    resource_access: optional('object'),
  },
);

export const USER_REPRESENTATION = objectShape<KeycloakUser>('a user representation', {
  id: required('token'),
  username: required('string'),
  enabled: optional('boolean'),
  email: optional('string'),
  firstName: optional('string'),
  lastName: optional('string'),
  emailVerified: optional('boolean'),
  createdTimestamp: optional('number'),
  attributes: optional('object'),
  requiredActions: optional('string[]'),
  totp: optional('boolean'),
  notBefore: optional('number'),
});

export const USER_LIST = arrayOf('a list of users', USER_REPRESENTATION);

export const USER_COUNT: AnswerShape<number> = {
  name: 'a user count',
  problemWith: (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? undefined
      : `the body is ${kindOf(value)}, not a count`,
};

export const DISCOVERY_DOCUMENT = objectShape<OidcMetadata>('OpenID Provider Metadata', {
  issuer: required('url'),
  authorization_endpoint: required('url'),
  token_endpoint: required('url'),
  userinfo_endpoint: required('url'),
  jwks_uri: required('url'),
  end_session_endpoint: optional('url'),
  revocation_endpoint: optional('url'),
  introspection_endpoint: optional('url'),
  id_token_signing_alg_values_supported: optional('string[]'),
  grant_types_supported: optional('string[]'),
});

/** RFC 7517 §5: jwks-rsa reads the keys themselves; the set must at least be one. */
export const JWK_SET = objectShape<{ keys: unknown[] }>('a JSON Web Key Set', {
  keys: required('array'),
});

/** An answer whose body does not matter (the status says it all, e.g. logout's 204). */
export const NO_CONTENT: AnswerShape<void> = {
  name: 'no content',
  problemWith: () => undefined,
};

/** The realm representation (doctor): what it reads is optional, Keycloak withholds it without view-realm. */
export const REALM_REPRESENTATION = objectShape<Record<string, unknown>>('a realm representation', {
  realm: optional('string'),
  accessTokenLifespan: optional('number'),
  ssoSessionIdleTimeout: optional('number'),
  ssoSessionMaxLifespan: optional('number'),
  revokeRefreshToken: optional('boolean'),
  refreshTokenMaxReuse: optional('number'),
  attributes: optional('object'),
});

export const CLIENT_LIST = arrayOf(
  'a list of clients',
  objectShape<Record<string, unknown>>('a client representation', {
    id: optional('string'),
    clientId: optional('string'),
    redirectUris: optional('string[]'),
    attributes: optional('object'),
  }),
);

export const CLIENT_SCOPE_LIST = arrayOf(
  'a list of client scopes',
  objectShape<{ id: string; name: string }>('a client scope', {
    id: required('string'),
    name: required('string'),
  }),
);
