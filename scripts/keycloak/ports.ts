import net from 'node:net';

/** A port that something we start will listen on, and how the user picks another one. */
export interface PortClaim {
  port: number;
  /** What listens there, e.g. "Keycloak". */
  what: string;
  /** How to choose another port, e.g. "--keycloak-port N (or KEYCLOAK_PORT=N)". */
  option: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('no port'));
        }
      });
    });
  });
}

/** Why `port` cannot be listened on at `host`, or undefined when it can. */
export function portProblem(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${err.code})`);
    });
    // exclusive: a port held by another process of a cluster would otherwise be shared with us.
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(undefined));
    });
  });
}

/**
 * Refuses to go on when a port we are about to listen on is taken, one line per port naming
 * it, what wanted it and the option that changes it. Checked before anything starts: Keycloak
 * only finds out late in its start, and a health check on a taken port is answered by whatever
 * holds it (another Keycloak says "UP" as readily as ours would).
 */
export async function assertPortsFree(claims: PortClaim[], host = '127.0.0.1'): Promise<void> {
  const lines: string[] = [];
  const seen = new Map<number, PortClaim>();
  for (const claim of claims) {
    if (!Number.isInteger(claim.port) || claim.port < 1 || claim.port > 65535) {
      lines.push(`port ${claim.port} (${claim.what}) is not a port: use ${claim.option}`);
      continue;
    }
    const twin = seen.get(claim.port);
    if (twin) {
      lines.push(
        `port ${claim.port} is asked for twice (${twin.what} and ${claim.what}): ` +
          `choose another with ${claim.option}`,
      );
      continue;
    }
    seen.set(claim.port, claim);
    const problem = await portProblem(claim.port, host);
    if (problem) {
      lines.push(
        `port ${claim.port} (${claim.what}) on ${host} ${problem}: stop what uses it, ` +
          `or choose another port with ${claim.option}`,
      );
    }
  }
  if (lines.length > 0) {
    throw new PortsTakenError(lines);
  }
}

export class PortsTakenError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'PortsTakenError';
  }
}
