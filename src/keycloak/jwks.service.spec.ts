import { generateKeyPairSync } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import { type KeycloakConfig, KeycloakEnv } from '../config/keycloak.config';
import { automock } from '../../test/utils/automock';
import { ManualClock } from '../../test/utils/manual-clock';
import { JwksService } from './jwks.service';
import { type BackchannelEndpoints, OidcDiscoveryService } from './oidc-discovery.service';

const JWKS_URI = 'http://kc/realms/demo/protocol/openid-connect/certs';

function rsaJwk(kid: string) {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

const KEY_A = rsaJwk('key-a');
const KEY_B = rsaJwk('key-b');

function forbidden(): AxiosError {
  const config = { headers: new AxiosHeaders(), url: JWKS_URI } as InternalAxiosRequestConfig;
  return new AxiosError(
    '403',
    'ERR_BAD_REQUEST',
    config,
    {},
    {
      status: 403,
      statusText: 'Forbidden',
      data: '<h1>blocked</h1>',
      headers: {},
      config,
    },
  );
}

/** A real HttpService whose requests fail unless the spec mocked the axios method called. */
function http(methods: Partial<Record<'get' | 'post', jest.Mock>>): HttpService {
  const unmocked = () => Promise.reject(new Error('unmocked request'));
  return new HttpService(Object.assign(axios.create({ adapter: unmocked }), methods));
}

function setup(cooldownMs = 30_000, refreshIntervalMs = 60_000) {
  const clock = new ManualClock(1_000_000);
  const get = jest.fn<Promise<AxiosResponse>, [string]>();
  const discovery = automock(OidcDiscoveryService, {
    getEndpoints: () => Promise.resolve({ jwks: JWKS_URI } as BackchannelEndpoints),
  });
  const config = {
    jwksRefetchCooldownMs: cooldownMs,
    jwksRefreshIntervalMs: refreshIntervalMs,
  } as KeycloakConfig;
  const sut = new JwksService(http({ get }), discovery, config, clock);
  const serve = (...keys: unknown[]) => get.mockResolvedValue({ data: { keys } } as AxiosResponse);
  return { sut, get, serve, advance: (ms: number) => clock.advance(ms) };
}

const KEY_C = rsaJwk('key-c');

describe(JwksService.name, () => {
  it('should load the keys at start as parsed KeyObjects', async () => {
    const { sut, serve, get } = setup();
    serve(KEY_A);
    await sut.onApplicationBootstrap();
    const key = await sut.getKey('key-a');
    expect(key.alg).toBe('RS256');
    expect(key.key.type).toBe('public');
    expect(key.key.asymmetricKeyType).toBe('rsa');
    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith(JWKS_URI);
  });

  it('should answer cached keys without fetching', async () => {
    const { sut, serve, get } = setup();
    serve(KEY_A);
    await sut.onApplicationBootstrap();
    await Promise.all(Array.from({ length: 100 }, () => sut.getKey('key-a')));
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('should share one fetch among 1,000 concurrent unknown kids', async () => {
    const { sut, serve, get, advance } = setup();
    serve(KEY_A);
    await sut.onApplicationBootstrap();
    advance(60_000);
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) => sut.getKey(`random-${i}`)),
    );
    expect(get).toHaveBeenCalledTimes(2);
    expect(
      results.every(
        (r) =>
          r.status === 'rejected' && (r.reason as { code: string }).code === 'TOKEN_UNKNOWN_KEY',
      ),
    ).toBe(true);
  });

  it('should not refetch within the cooldown, and pick up a rotated key after it', async () => {
    const { sut, serve, get, advance } = setup(30_000);
    serve(KEY_A);
    await sut.onApplicationBootstrap();
    serve(KEY_A, KEY_B);
    advance(1000);
    await expect(sut.getKey('key-b')).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
    expect(get).toHaveBeenCalledTimes(1);
    advance(30_000);
    await expect(sut.getKey('key-b')).resolves.toMatchObject({ kid: 'key-b' });
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('should keep its keys when a refetch fails (stale-if-error)', async () => {
    const { sut, serve, get, advance } = setup();
    serve(KEY_A);
    await sut.onApplicationBootstrap();
    get.mockRejectedValue(forbidden());
    advance(60_000);
    await expect(sut.getKey('key-b')).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
    await expect(sut.getKey('key-a')).resolves.toMatchObject({ kid: 'key-a' });
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('should say JWKS_UNAVAILABLE, naming the status, when no key was ever loaded', async () => {
    const { sut, get } = setup();
    get.mockRejectedValue(forbidden());
    await sut.onApplicationBootstrap();
    await expect(sut.getKey('key-a')).rejects.toMatchObject({
      status: 503,
      code: 'JWKS_UNAVAILABLE',
      detail: `The certs endpoint answered 403 (${JWKS_URI})`,
    });
  });

  it('should ignore keys it must not accept (HMAC, encryption-only)', async () => {
    const { sut, serve } = setup();
    serve({ kty: 'oct', kid: 'hmac', alg: 'HS256', k: 'c2VjcmV0', use: 'sig' }, KEY_A);
    await sut.onApplicationBootstrap();
    expect(sut.kids).toEqual(['key-a']);
    expect(sut.algorithms).toEqual(['RS256']);
  });
  describe('periodic refresh', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('should stop trusting a key the realm removed within one refresh interval, and say which', async () => {
      const { sut, serve, get, advance } = setup(30_000, 60_000);
      const removed: string[][] = [];
      sut.onKeysRemoved((kids) => removed.push([...kids]));
      serve(KEY_A, KEY_B);
      await sut.onApplicationBootstrap();
      expect(sut.has('key-b')).toBe(true);

      // Keycloak disables key-b; no token with an unknown kid arrives meanwhile.
      serve(KEY_A);
      advance(59_000);
      await jest.advanceTimersByTimeAsync(59_000);
      expect(sut.has('key-b')).toBe(true);
      advance(1_000);
      await jest.advanceTimersByTimeAsync(1_000);

      expect(get).toHaveBeenCalledTimes(2);
      expect(sut.has('key-b')).toBe(false);
      expect(removed).toEqual([['key-b']]);
      advance(1_000);
      await expect(sut.getKey('key-b')).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
      sut.onApplicationShutdown();
    });

    it('should keep its keys when a periodic refresh fails, and try again at the next one', async () => {
      const { sut, serve, get, advance } = setup(30_000, 10_000);
      serve(KEY_A);
      await sut.onApplicationBootstrap();
      get.mockRejectedValue(forbidden());
      advance(10_000);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(sut.has('key-a')).toBe(true);
      serve(KEY_C);
      advance(10_000);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(get).toHaveBeenCalledTimes(3);
      expect(sut.kids).toEqual(['key-c']);
      sut.onApplicationShutdown();
    });

    it('should stop refreshing at shutdown', async () => {
      const { sut, serve, get } = setup(30_000, 1_000);
      serve(KEY_A);
      await sut.onApplicationBootstrap();
      sut.onApplicationShutdown();
      await jest.advanceTimersByTimeAsync(10_000);
      expect(get).toHaveBeenCalledTimes(1);
    });
  });

  describe('rotation under a flood of unknown kids', () => {
    it('should never refetch for a replayed forged kid, so it cannot hold off a rotated key', async () => {
      const { sut, serve, get, advance } = setup(5_000);
      serve(KEY_A);
      await sut.onApplicationBootstrap();
      advance(10_000);
      await expect(sut.getKey('forged')).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
      expect(get).toHaveBeenCalledTimes(2);

      // The attacker replays the same kid every 100 ms: no fetch at all ...
      for (let i = 0; i < 600; i++) {
        advance(100);
        await expect(sut.getKey('forged')).rejects.toMatchObject({ code: 'TOKEN_UNKNOWN_KEY' });
      }
      expect(get).toHaveBeenCalledTimes(2);
      // ... so the rotated key's first token fetches at once and is accepted.
      serve(KEY_A, KEY_B);
      await expect(sut.getKey('key-b')).resolves.toMatchObject({ kid: 'key-b' });
      expect(get).toHaveBeenCalledTimes(3);
    });

    it('should accept a rotated key within one cooldown while fresh random kids flood in, with at most one fetch per cooldown', async () => {
      // The default, as an operator who sets nothing gets it: "a few seconds".
      const cooldown = new KeycloakEnv().JWKS_REFETCH_COOLDOWN_MS;
      expect(cooldown).toBeLessThanOrEqual(5_000);
      const { sut, serve, get, advance } = setup(cooldown);
      serve(KEY_A);
      await sut.onApplicationBootstrap();
      const start = 1_000_000;
      let now = start;
      let rotatedAt: number | undefined;
      let acceptedAt: number | undefined;
      // 60 s of one forged token with a new kid every 10 ms; the realm rotates at 30.05 s, and a
      // real user's token with the new kid comes every 100 ms from then on.
      for (let step = 1; step <= 6000 && acceptedAt === undefined; step++) {
        advance(10);
        now += 10;
        await sut.getKey(`random-${step}`).catch(() => undefined);
        if (rotatedAt === undefined && now - start >= 30_050) {
          rotatedAt = now;
          serve(KEY_A, KEY_B);
        }
        if (rotatedAt !== undefined && step % 10 === 0) {
          const key = await sut.getKey('key-b').catch(() => undefined);
          if (key) {
            acceptedAt = now;
          }
        }
      }
      expect(rotatedAt).toBeDefined();
      expect(acceptedAt).toBeDefined();
      expect((acceptedAt ?? Infinity) - (rotatedAt ?? 0)).toBeLessThanOrEqual(cooldown);
      const elapsed = now - start;
      // The fetch at start, then at most one per cooldown window of the flood.
      expect(get.mock.calls.length - 1).toBeLessThanOrEqual(Math.ceil(elapsed / cooldown));
    });
  });
});
