import { automock } from '../../test/utils/automock';
import {
  type ControllerApp,
  createControllerApp,
  loginThrottling,
} from '../../test/utils/controller-app';
import { KeycloakError } from '../keycloak/keycloak.errors';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginThrottlerGuard } from './guards/login-throttler.guard';

const PROBLEM = 'application/problem+json; charset=utf-8';
const TOKENS = { access_token: 'a', expires_in: 300, refresh_token: 'r', token_type: 'Bearer' };

describe(AuthController.name, () => {
  let app: ControllerApp;
  let service: ReturnType<typeof automock<AuthService>>;

  beforeEach(async () => {
    service = automock(AuthService);
    app = await createControllerApp({
      imports: [loginThrottling(3)],
      controllers: [AuthController],
      providers: [{ provide: AuthService, useValue: service }, LoginThrottlerGuard],
    });
  });
  afterEach(async () => {
    await app.close();
  });

  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
  const login = (payload: object) => post('/auth/login', payload);

  describe('POST /auth/login', () => {
    it("should answer 200 with the service's tokens, passing username, password and scope", async () => {
      service.login.mockResolvedValue(TOKENS);

      const res = await login({ username: 'alice', password: 'pw', scope: 'profile email' });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(TOKENS);
      expect(service.login).toHaveBeenCalledWith('alice', 'pw', 'profile email');
    });

    it.each([
      ['without a password', { username: 'alice' }, 'password'],
      ['with an unknown field', { username: 'alice', password: 'pw', admin: true }, 'admin'],
      [
        'with a scope that is not a scope list',
        { username: 'a', password: 'p', scope: 'a  b' },
        'scope',
      ],
    ])(
      'should refuse a body %s with 400 VALIDATION_FAILED naming the field',
      async (_, body, field) => {
        const res = await login(body);

        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toBe(PROBLEM);
        expect(res.json()).toMatchObject({
          code: 'VALIDATION_FAILED',
          errors: expect.arrayContaining([expect.objectContaining({ field })]) as unknown[],
          instance: '/auth/login',
        });
        expect(service.login).not.toHaveBeenCalled();
      },
    );

    it("should render the service's refusal as problem+json with its status and code", async () => {
      service.login.mockRejectedValue(
        new KeycloakError('INVALID_CREDENTIALS', 'Invalid username or password', {
          upstream: { status: 401, error: 'invalid_grant' },
        }),
      );

      const res = await login({ username: 'alice', password: 'wrong' });

      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.json()).toMatchObject({
        code: 'INVALID_CREDENTIALS',
        detail: 'Invalid username or password',
        upstream: { status: 401, error: 'invalid_grant' },
        requestId: res.headers['x-request-id'],
      });
    });

    it('should answer 429 RATE_LIMITED with Retry-After past the per-IP budget', async () => {
      service.login.mockResolvedValue(TOKENS);
      for (const username of ['a', 'b', 'c']) {
        expect((await login({ username, password: 'pw' })).statusCode).toBe(200);
      }

      const res = await login({ username: 'd', password: 'pw' });

      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.json()).toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterSeconds: Number(res.headers['retry-after']),
      });
      expect(service.login).toHaveBeenCalledTimes(3);
    });
  });

  describe('POST /auth/refresh and /auth/logout', () => {
    it('should answer a refresh with 200 and the new tokens', async () => {
      service.refresh.mockResolvedValue(TOKENS);

      const res = await post('/auth/refresh', { refresh_token: 'r' });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(TOKENS);
      expect(service.refresh).toHaveBeenCalledWith('r');
    });

    it('should answer a logout with 204 and no body', async () => {
      service.logout.mockResolvedValue(undefined);

      const res = await post('/auth/logout', { refresh_token: 'r' });

      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(service.logout).toHaveBeenCalledWith('r');
    });

    it('should refuse an empty refresh token with 400 before the service is asked', async () => {
      const res = await post('/auth/logout', { refresh_token: '' });

      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('GET /auth/me and /auth/claims', () => {
    it('should answer 401 TOKEN_MISSING with the bearer challenge without a token', async () => {
      const res = await app.inject({ method: 'GET', url: '/auth/me' });

      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="keycloak-bff"');
      expect(res.json()).toMatchObject({ code: 'TOKEN_MISSING' });
    });

    it("should hand the verified caller to the service and answer with the user's claims", async () => {
      service.me.mockImplementation((user) =>
        Promise.resolve({ sub: String(user.claims.sub), roles: user.roles }),
      );

      const res = await app.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { authorization: app.bearer({ sub: 'alice-id', roles: ['user'] }) },
      });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ sub: 'alice-id', roles: ['user'] });
    });

    it('should answer the claims and roles of the token without calling the service', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/auth/claims',
        headers: { authorization: app.bearer({ sub: 'alice-id', roles: ['admin'] }) },
      });

      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ claims: { sub: 'alice-id' }, roles: ['admin'] });
    });

    it('should refuse an expired token with 401 TOKEN_EXPIRED and an invalid_token challenge', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/auth/claims',
        headers: { authorization: app.bearer({ exp: Math.floor(Date.now() / 1000) - 60 }) },
      });

      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(res.json()).toMatchObject({ code: 'TOKEN_EXPIRED' });
    });
  });
});
