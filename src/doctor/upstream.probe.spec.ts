import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamProbe } from './upstream.probe';

/** A local HTTP server answering `status`, and what it saw. */
async function listen(
  status: number,
  delayMs = 0,
): Promise<{ url: string; server: Server; agents: string[] }> {
  const agents: string[] = [];
  const server = createServer((req, res) => {
    agents.push(req.headers['user-agent'] ?? '');
    const timer = setTimeout(
      () => res.writeHead(status, { location: '/elsewhere' }).end('body'),
      delayMs,
    );
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, agents };
}

describe(UpstreamProbe.name, () => {
  const sut = new UpstreamProbe();
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it('should take any status as an answer, a redirect not followed, and send our User-Agent', async () => {
    const up = await listen(302);
    server = up.server;
    await expect(sut.status(up.url, 1000)).resolves.toBe(302);
    expect(up.agents).toEqual([expect.stringMatching(/^keycloak-bff\//)]);
  });

  it('should name a refused connection', async () => {
    const up = await listen(200);
    await new Promise((resolve) => up.server.close(resolve));
    await expect(sut.status(up.url, 1000)).rejects.toThrow('ECONNREFUSED');
  });

  it('should give up after the timeout', async () => {
    const up = await listen(200, 2000);
    server = up.server;
    await expect(sut.status(up.url, 100)).rejects.toThrow('no answer within 100 ms');
  });
});
