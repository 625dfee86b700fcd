import { bffService } from './bff-service';
import { keycloakService } from './keycloak-service';
import type { StackService } from './service';

/**
 * The distribution stack, in start order (stopped in reverse). The proxy, orders-api and the
 * demo SPA go here when they land, each after what it calls.
 */
export function stackServices(): StackService[] {
  return [keycloakService, bffService];
}
