import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock/clock';
import { seeDoctor } from '../common/doctor-check-names';
import { keycloakConfig } from '../config/keycloak.config';
import { sessionConfig } from '../config/session.config';
import {
  KeycloakAuthorizationProbe,
  refusesRedirectUri,
} from '../keycloak/keycloak-authorization.probe';
import { SessionError } from './session.errors';

/** How long a refusal is believed before Keycloak is asked again (the fix needs no restart). */
const REFUSAL_TTL_MS = 30_000;

/**
 * Whether Keycloak accepts SESSION_REDIRECT_URI for the client. With an unregistered URI
 * Keycloak shows the browser its "Invalid parameter: redirect_uri" page and never comes back,
 * so the BFF asks once (as doctor's 'session redirect URI' check does) before sending a browser
 * there, and answers REDIRECT_URI_NOT_REGISTERED instead. An acceptance is kept for the life of
 * the process; a Keycloak that cannot be asked does not stop the login.
 */
@Injectable()
export class RedirectUriRegistration {
  private accepted = false;
  private refusedAt?: number;
  private asking?: Promise<boolean | undefined>;

  constructor(
    private readonly clock: Clock,
    @Inject(KeycloakAuthorizationProbe)
    private readonly authorization: Pick<KeycloakAuthorizationProbe, 'probe'>,
    @Inject(sessionConfig.KEY)
    private readonly session: Pick<ConfigType<typeof sessionConfig>, 'redirectUri'>,
    @Inject(keycloakConfig.KEY)
    private readonly keycloak: Pick<ConfigType<typeof keycloakConfig>, 'clientId'>,
  ) {}

  async ensureRegistered(): Promise<void> {
    if (this.accepted) {
      return;
    }
    const recentlyRefused =
      this.refusedAt !== undefined && this.clock.now() - this.refusedAt < REFUSAL_TTL_MS;
    if (!recentlyRefused && (await this.ask()) !== false) {
      return;
    }
    const uri = this.session.redirectUri;
    const { clientId } = this.keycloak;
    throw new SessionError(
      'REDIRECT_URI_NOT_REGISTERED',
      `Client '${clientId}' does not accept SESSION_REDIRECT_URI ${uri}: Keycloak would show "Invalid parameter: redirect_uri" instead of its login page`,
      {
        hint: `Add ${uri} to the Valid redirect URIs of client '${clientId}'. ${seeDoctor('sessionRedirectUri')}`,
      },
    );
  }

  /** One question at a time, however many logins start at once; undefined when Keycloak did not answer. */
  private ask(): Promise<boolean | undefined> {
    this.asking ??= this.authorization
      .probe(this.session.redirectUri)
      .then(
        (answer) => {
          const accepted = !refusesRedirectUri(answer);
          this.accepted = accepted;
          this.refusedAt = accepted ? undefined : this.clock.now();
          return accepted;
        },
        () => undefined,
      )
      .finally(() => {
        this.asking = undefined;
      });
    return this.asking;
  }
}
