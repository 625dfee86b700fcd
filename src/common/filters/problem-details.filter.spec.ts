import { Body, Controller, Get, HttpException, Module, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsString, MinLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { ConfigModule } from '@nestjs/config';
import { configureApp, fastifyOptions } from '../../app.setup';
import { metricsConfig } from '../../config/metrics.config';
import { MetricsModule } from '../metrics/metrics.module';
import type { AppConfig } from '../../config/app.config';
import {
  IdpTimeoutError,
  IdpUnavailableError,
  KeycloakResponseError,
} from '../../keycloak/keycloak.errors';

class AddressDto {
  @IsString()
  city!: string;
}

class ProbeDto {
  @IsString()
  @MinLength(3)
  name!: string;

  @ValidateNested()
  @Type(() => AddressDto)
  address!: AddressDto;
}

let next: () => unknown = () => ({ ok: true });

@Controller('probe')
class ProbeController {
  @Post()
  create(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  @Get('throw')
  throws(): unknown {
    return next();
  }
}

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [metricsConfig] }),
    MetricsModule,
  ],
  controllers: [ProbeController],
})
class ProbeModule {}

const config: AppConfig = {
  port: 0,
  host: '127.0.0.1',
  corsOrigins: ['http://localhost:5173'],
  logLevel: 'silent',
  bodyLimitBytes: 1024,
  trustProxy: false,
  docsEnabled: false,
  benchRoutes: false,
  shutdownTimeoutMs: 1000,
  shutdownDrainMs: 0,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
};

describe('ProblemDetailsFilter with the validation pipe', () => {
  let sut: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    sut = moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(fastifyOptions(config, pino({ level: 'silent' }))),
      { logger: false },
    );
    await configureApp(sut, config, 'x-csrf');
    await sut.init();
    await sut.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await sut.close();
  });

  const inject = (opts: InjectOptions) => sut.getHttpAdapter().getInstance().inject(opts);

  it('should answer 400 VALIDATION_FAILED naming each field, nested ones dotted', async () => {
    const res = await inject({
      method: 'POST',
      url: '/probe',
      payload: { name: 'x', address: {} },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const body = res.json();
    expect(body).toMatchObject({
      type: 'urn:keycloak-bff:problem:validation-failed',
      status: 400,
      code: 'VALIDATION_FAILED',
      instance: '/probe',
    });
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'name must be longer than or equal to 3 characters' },
        { field: 'address.city', message: 'city must be a string' },
      ]),
    );
  });

  it('should refuse unknown body fields', async () => {
    const res = await inject({
      method: 'POST',
      url: '/probe',
      payload: { name: 'abc', address: { city: 'Oz' }, isAdmin: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'isAdmin', message: 'property isAdmin should not exist' },
    ]);
  });

  it('should answer 413 PAYLOAD_TOO_LARGE over the body limit', async () => {
    const res = await inject({
      method: 'POST',
      url: '/probe',
      payload: { name: 'x'.repeat(2000) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
  });

  it('should answer 400 BAD_REQUEST for malformed JSON', async () => {
    const res = await inject({
      method: 'POST',
      url: '/probe',
      headers: { 'content-type': 'application/json' },
      payload: '{nope',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('BAD_REQUEST');
  });

  it('should answer 404 NOT_FOUND for an unknown route', async () => {
    const res = await inject({ method: 'GET', url: '/nowhere?code=secret' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', instance: '/nowhere' });
  });

  it.each([
    ['IDP_UNAVAILABLE', 503, () => new IdpUnavailableError('token', 'ECONNREFUSED')],
    ['IDP_TIMEOUT', 504, () => new IdpTimeoutError('token', 5000)],
  ])('should render %s as %i', async (code, status, make) => {
    next = () => {
      throw make();
    };
    const res = await inject({ method: 'GET', url: '/probe/throw' });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code, status, hint: expect.any(String) });
  });

  it('should render an unmapped Keycloak answer as 502 with the upstream error', async () => {
    next = () => {
      throw new KeycloakResponseError('token', { status: 500, error: 'unknown_error' }, undefined);
    };
    const res = await inject({ method: 'GET', url: '/probe/throw' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({
      code: 'IDP_ERROR',
      upstream: { status: 500, error: 'unknown_error' },
    });
  });

  it('should answer 500 INTERNAL without leaking the error', async () => {
    next = () => {
      throw new Error('db password is hunter2');
    };
    const res = await inject({ method: 'GET', url: '/probe/throw' });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(res.body).not.toContain('hunter2');
    expect(body).not.toHaveProperty('stack');
  });

  it('should treat a 5xx HttpException as INTERNAL', async () => {
    next = () => {
      throw new HttpException('internal details', 500);
    };
    const res = await inject({ method: 'GET', url: '/probe/throw' });
    expect(res.json()).toMatchObject({ code: 'INTERNAL' });
    expect(res.body).not.toContain('internal details');
  });

  it('should keep the status of a 4xx that has no code of its own, naming it after the status', async () => {
    next = () => {
      throw new HttpException('slow down', 429);
    };
    const res = await inject({ method: 'GET', url: '/probe/throw' });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      title: 'Too many requests',
      detail: 'slow down',
    });
  });

  it('should echo a safe X-Request-Id and replace an unsafe one', async () => {
    const good = await inject({
      method: 'GET',
      url: '/nowhere',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(good.headers['x-request-id']).toBe('abc-123');
    expect(good.json().requestId).toBe('abc-123');
    const bad = await inject({
      method: 'GET',
      url: '/nowhere',
      headers: { 'x-request-id': 'a\nb' },
    });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should allow only configured CORS origins', async () => {
    const allowed = await inject({
      method: 'OPTIONS',
      url: '/probe',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const refused = await inject({
      method: 'OPTIONS',
      url: '/probe',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
