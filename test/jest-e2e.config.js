// End-to-end tests: the real app against the real Keycloak that globalSetup provides.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  transform: { '^.+\\.(ts|js)$': ['@swc/jest'] },
  // Node 20's require() loads ES modules but jest's loader does not; these few ship only ESM.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  clearMocks: true,
  restoreMocks: true,
};
