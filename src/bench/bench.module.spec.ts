import { type ControllerApp, createControllerApp } from '../../test/utils/controller-app';
import { BenchModule } from './bench.module';

/** Its controller lives inside the module file: the routes `npm run bench` measures. */
describe(BenchModule.name, () => {
  let app: ControllerApp;

  beforeEach(async () => {
    app = await createControllerApp({ imports: [BenchModule] });
  });
  afterEach(async () => {
    await app.close();
  });

  it('should answer the public route without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/bench/public' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it('should guard the guarded route: 401 without a token, 200 with one', async () => {
    const refused = await app.inject({ method: 'GET', url: '/bench/guarded' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'TOKEN_MISSING' });

    const res = await app.inject({
      method: 'GET',
      url: '/bench/guarded',
      headers: { authorization: app.bearer() },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });
});
