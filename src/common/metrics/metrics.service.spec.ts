import { MetricsService, statusClassOf } from './metrics.service';

const USER_ID = '6f1c2a4e-0b7d-4c8e-9a51-1d2e3f405162';
const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiI2ZjFjMmE0ZSJ9.c2lnbmF0dXJlLWJ5dGVz';
const RAW_PATH = '/users/6f1c2a4e-0b7d-4c8e-9a51-1d2e3f405162/orders?page=2';

function enabled(): MetricsService {
  return new MetricsService({ enabled: true, host: '127.0.0.1', port: 0 });
}

/** Every label value in the registry. */
async function labelValues(sut: MetricsService): Promise<string[]> {
  const metrics = await sut.registry.getMetricsAsJSON();
  return metrics.flatMap((m) =>
    m.values.flatMap((v) => Object.values(v.labels).map((value) => String(value))),
  );
}

describe(MetricsService.name, () => {
  it('should keep user ids, tokens and raw paths out of every label, whatever call sites pass', async () => {
    const sut = enabled();
    for (const hostile of [USER_ID, TOKEN, RAW_PATH, `Bearer ${TOKEN}`, 'a b', '']) {
      sut.tokenCheck(hostile);
      sut.jwksFetch(hostile);
      sut.adminTokenGrant(hostile);
      sut.login('password', hostile);
      sut.refresh('session', hostile);
      sut.backChannelLogout(hostile);
      sut.tokenExchange(hostile, hostile);
      sut.proxyRequest(hostile, 200, 0.01);
      sut.upstreamError(hostile);
      sut.httpRequestStarted();
      sut.httpRequestFinished();
      sut.httpRequestEnded(hostile, '/users/:id', 200, 0.001);
    }

    const values = await labelValues(sut);

    expect(values.length).toBeGreaterThan(0);
    for (const secret of [USER_ID, 'eyJ', RAW_PATH, '?page', 'Bearer']) {
      expect(values.filter((v) => v.includes(secret))).toEqual([]);
    }
  });

  it('should keep error codes and allow-listed names as they are', async () => {
    const sut = enabled();
    sut.tokenCheck('TOKEN_EXPIRED');
    sut.allowLabels('audience', ['orders-api']);
    sut.tokenExchange('orders-api', 'ok');
    sut.tokenExchange('billing-api', 'ok');
    sut.rateLimit('login-username');

    const text = await sut.scrape();

    expect(text).toContain('bff_token_verifications_total{outcome="TOKEN_EXPIRED"} 1');
    expect(text).toContain('bff_token_exchanges_total{audience="orders-api",outcome="ok"} 1');
    expect(text).toContain('bff_token_exchanges_total{audience="other",outcome="ok"} 1');
    expect(text).toContain('bff_rate_limited_total{limit="login-username"} 1');
  });

  it('should register and record nothing when metrics are off', async () => {
    const sut = new MetricsService({ enabled: false, host: '127.0.0.1', port: 0 });
    sut.tokenCheck('ok');
    sut.keycloakCall('password_grant', '2xx', 0.1);

    expect((await sut.scrape()).trim()).toBe('');
  });

  it('should read scrape-time gauges from their owners at each scrape', async () => {
    const sut = enabled();
    let size = 3;
    sut.sampleAtScrape(() => sut.tokenCacheSize(size));

    expect(await sut.scrape()).toContain('bff_token_cache_entries 3');
    size = 5;
    expect(await sut.scrape()).toContain('bff_token_cache_entries 5');
  });

  it.each([
    [101, '1xx'],
    [204, '2xx'],
    [302, '3xx'],
    [404, '4xx'],
    [503, '5xx'],
  ])('should put status %d in class %s', (status, expected) => {
    expect(statusClassOf(status)).toBe(expected);
  });
});
