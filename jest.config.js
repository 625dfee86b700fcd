// Unit tests: beside the code, no network, no Keycloak.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/scripts'],
  testRegex: '\\.spec\\.ts$',
  transform: { '^.+\\.(ts|js)$': ['@swc/jest'] },
  // Node 20's require() loads ES modules but jest's loader does not; these few ship only ESM.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  clearMocks: true,
  restoreMocks: true,
  errorOnDeprecated: true,
};
