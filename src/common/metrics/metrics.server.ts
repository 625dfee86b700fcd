import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Fastify, { type FastifyInstance } from 'fastify';
import { metricsConfig } from '../../config/metrics.config';
import { MetricsService } from './metrics.service';

/**
 * The scrape endpoint, `GET /metrics`, on its own listener (METRICS_HOST:METRICS_PORT): off the
 * public port, so neither the internet nor the SPA's origin can read it, and a flood on the
 * public port does not hide the numbers that describe it. Started by main.ts once the app
 * listens; closed with the app.
 */
@Injectable()
export class MetricsServer implements OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: FastifyInstance;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(metricsConfig.KEY) private readonly config: ConfigType<typeof metricsConfig>,
  ) {}

  /** Listens unless METRICS_PORT=off; resolves to the port it listens on. */
  async start(): Promise<number | undefined> {
    if (!this.metrics.enabled) {
      return undefined;
    }
    const server = Fastify({ logger: false, forceCloseConnections: true });
    server.get('/metrics', async (_request, reply) => {
      const body = await this.metrics.scrape();
      return reply.type(this.metrics.contentType).send(body);
    });
    await server.listen({ host: this.config.host, port: this.config.port });
    this.server = server;
    const { port } = server.server.address() as AddressInfo;
    this.logger.log({ msg: 'metrics listening', host: this.config.host, port });
    return port;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
