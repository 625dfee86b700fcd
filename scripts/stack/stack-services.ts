import { bffService } from './bff-service';
import { keycloakService } from './keycloak-service';
import { ordersApiService } from './orders-api-service';
import type { StackService } from './service';

/**
 * The distribution stack, in start order (stopped in reverse), each after what it calls:
 * orders-api fetches Keycloak's keys, the BFF proxies to orders-api. The demo SPA goes here
 * when it lands.
 */
export function stackServices(): StackService[] {
  return [keycloakService, ordersApiService, bffService];
}
