import http from 'node:http';
import https from 'node:https';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

/**
 * Keep-alive agents for every call to Keycloak: a TLS handshake per token request would cost
 * more than the request. Destroyed on shutdown so open sockets do not hold the process.
 */
@Injectable()
export class KeycloakHttpAgents implements OnApplicationShutdown {
  readonly http = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });
  readonly https = new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });

  onApplicationShutdown(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
