import { existsSync } from 'node:fs';
import http from 'node:http';

/**
 * True when a Docker engine answers `/_ping`. A docker CLI without an engine (as on these
 * machines) is not enough, so the socket is asked directly, with a short timeout.
 */
export function dockerAvailable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const host = env.DOCKER_HOST;
  let options: http.RequestOptions;
  if (host?.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    options = { host: url.hostname, port: url.port || 2375, path: '/_ping' };
  } else {
    const socketPath = host?.startsWith('unix://')
      ? host.slice('unix://'.length)
      : '/var/run/docker.sock';
    if (!existsSync(socketPath)) {
      return Promise.resolve(false);
    }
    options = { socketPath, path: '/_ping' };
  }
  return new Promise((resolve) => {
    const req = http.get({ ...options, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
