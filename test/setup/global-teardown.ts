/** Stops what globalSetup started; jest runs this even when tests fail. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__KEYCLOAK__?.stop();
}
