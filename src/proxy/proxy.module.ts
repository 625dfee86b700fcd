import { Module } from '@nestjs/common';
import { ApiProxy } from './api-proxy';
import { RouteTokens } from './route-tokens';

/**
 * The API proxy: forwards the routes of API_ROUTES_FILE to their APIs with the token each
 * route's policy names (docs/proxy.md). Without routes it mounts nothing.
 */
@Module({
  providers: [ApiProxy, RouteTokens],
})
export class ProxyModule {}
