import { TerminusModule } from '@nestjs/terminus';
import { automock } from '../../test/utils/automock';
import { type ControllerApp, createControllerApp } from '../../test/utils/controller-app';
import { HealthController } from './health.controller';
import { KeycloakHealthIndicator } from './keycloak.health-indicator';

describe(HealthController.name, () => {
  let app: ControllerApp;
  let keycloak: ReturnType<typeof automock<KeycloakHealthIndicator>>;

  beforeEach(async () => {
    keycloak = automock(KeycloakHealthIndicator);
    app = await createControllerApp({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: KeycloakHealthIndicator, useValue: keycloak }],
    });
  });
  afterEach(async () => {
    await app.close();
  });

  it('should answer liveness without a token and without asking Keycloak', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(keycloak.isReady).not.toHaveBeenCalled();
  });

  it("should answer readiness 200 with the indicator's details", async () => {
    keycloak.isReady.mockResolvedValue({
      keycloak: { status: 'up', discovery: 'loaded', signingKeys: 2 },
    });

    const res = await app.inject({ method: 'GET', url: '/health/ready' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      info: { keycloak: { status: 'up', discovery: 'loaded', signingKeys: 2 } },
    });
  });

  it('should answer not ready as 503 IDP_UNAVAILABLE problem+json naming realm, URL and why', async () => {
    keycloak.isReady.mockResolvedValue({
      keycloak: { status: 'down', code: 'IDP_TIMEOUT', message: 'no answer within 5000 ms' },
    });

    const res = await app.inject({ method: 'GET', url: '/health/ready' });

    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({
      code: 'IDP_UNAVAILABLE',
      detail: "Keycloak (realm 'demo' at http://kc.test) is not usable: no answer within 5000 ms",
      hint: expect.stringContaining('KEYCLOAK_URL') as string,
      checks: { keycloak: { status: 'down', code: 'IDP_TIMEOUT' } },
      instance: '/health/ready',
    });
  });
});
