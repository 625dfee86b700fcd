import type { KeycloakSource } from './select-source';

export type HarnessLog = (message: string) => void;

export interface RunningKeycloak {
  source: KeycloakSource;
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** The management interface (health), where the harness started Keycloak itself. */
  managementUrl?: string;
  adminUser: string;
  adminPassword: string;
  logFile?: string;
  /** The process (and process group) of a Keycloak the harness started. */
  pid?: number;
  /** Resolves with the exit code or signal when a Keycloak the harness started ends. */
  exited?: Promise<number | string | null>;
  stop(): Promise<void>;
}
