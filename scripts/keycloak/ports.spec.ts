import net from 'node:net';
import { assertPortsFree, freePort, PortsTakenError } from './ports';

function listen(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

describe(assertPortsFree.name, () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  });

  it('should pass when every port is free', async () => {
    const port = await freePort();
    await expect(
      assertPortsFree([{ port, what: 'the BFF', option: '--port N' }]),
    ).resolves.toBeUndefined();
  });

  it('should name a taken port, what wanted it and the option that changes it', async () => {
    const port = await freePort();
    servers.push(await listen(port, '127.0.0.1'));
    const free = await freePort();
    await expect(
      assertPortsFree([
        { port: free, what: 'the BFF', option: '--port N' },
        { port, what: 'Keycloak', option: '--keycloak-port N (or KEYCLOAK_PORT=N)' },
      ]),
    ).rejects.toThrow(
      new PortsTakenError([
        `port ${port} (Keycloak) on 127.0.0.1 is already in use: stop what uses it, ` +
          'or choose another port with --keycloak-port N (or KEYCLOAK_PORT=N)',
      ]),
    );
  });

  it('should see a port taken on every address (0.0.0.0) as taken on 127.0.0.1', async () => {
    const port = await freePort();
    servers.push(await listen(port, '0.0.0.0'));
    await expect(assertPortsFree([{ port, what: 'the BFF', option: '--port N' }])).rejects.toThrow(
      `port ${port} (the BFF) on 127.0.0.1 is already in use`,
    );
  });

  it('should refuse the same port asked for twice, and a number that is no port', async () => {
    const port = await freePort();
    await expect(
      assertPortsFree([
        { port, what: 'the BFF', option: '--port N' },
        { port, what: 'Keycloak', option: '--keycloak-port N' },
        { port: 70000, what: "Keycloak's management interface", option: '--m N' },
      ]),
    ).rejects.toThrow(
      new PortsTakenError([
        `port ${port} is asked for twice (the BFF and Keycloak): choose another with --keycloak-port N`,
        "port 70000 (Keycloak's management interface) is not a port: use --m N",
      ]),
    );
  });
});
