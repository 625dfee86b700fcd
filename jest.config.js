// Unit tests: beside the code, no network, no Keycloak.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // test/utils: the helpers unit specs and e2e share, and their own specs.
  roots: ['<rootDir>/src', '<rootDir>/scripts', '<rootDir>/examples', '<rootDir>/test/utils'],
  testRegex: '\\.spec\\.ts$',
  // Transpile only: tsc --noEmit type-checks once, before the tests.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/setup/quiet-nest-logger.ts'],
  clearMocks: true,
  restoreMocks: true,
  errorOnDeprecated: true,
};
