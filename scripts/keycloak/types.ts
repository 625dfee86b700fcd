import type { KeycloakSource } from './select-source';

export type HarnessLog = (message: string) => void;

export interface RunningKeycloak {
  source: KeycloakSource;
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  adminUser: string;
  adminPassword: string;
  logFile?: string;
  stop(): Promise<void>;
}
