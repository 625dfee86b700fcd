/**
 * The doctor checks a run-time answer can point at. The checks take their names from here and
 * the hints of the matching run-time codes cite them, so the two cannot drift apart
 * (docs/doctor.md has the table).
 */
export const DOCTOR_CHECK_NAMES = {
  issuer: 'issuer',
  audience: 'audience',
  tokenExchange: 'token exchange',
  refreshTokenRotation: 'refresh token rotation',
  lightweightTokens: 'lightweight access tokens',
  sessionRedirectUri: 'session redirect URI',
  postLogoutRedirectUri: 'post-logout redirect URI',
  standardFlow: 'standard flow and PKCE',
  backchannelLogout: 'back-channel logout',
  sidAndSub: 'sid and sub claims',
  sessionTimeouts: 'session timeouts',
  proxyRoutes: 'proxy routes',
  sessionStore: 'session store',
} as const;

export type DoctorCheckKey = keyof typeof DOCTOR_CHECK_NAMES;

/** The sentence a run-time hint ends with: where the exact fix is spelled out. */
export const seeDoctor = (check: DoctorCheckKey): string =>
  `\`npm run doctor\` (check '${DOCTOR_CHECK_NAMES[check]}') prints the kcadm.sh command that fixes it.`;
