import { restrictedImports } from '../../test/utils/eslint-rules';
import { KeycloakModule } from './keycloak.module';

describe(KeycloakModule.name, () => {
  // Other layer rules may set no-restricted-imports for some folders; ESLint then uses theirs
  // alone there. This keeps the axios ban from being lifted by such a merge.
  it('should be the only place allowed to import axios (eslint.config.mjs)', () => {
    // Any file name will do: ESLint matches configs by path.
    const outside = [
      'src/main.ts',
      ...['auth', 'session', 'health', 'doctor', 'users', 'token-exchange', 'common'].map(
        (folder) => `src/${folder}/any.ts`,
      ),
      'src/keycloak-like/any.ts',
      'test/any.e2e-spec.ts',
      'bench/any.ts',
      'scripts/any.ts',
    ];
    const inside = ['src/keycloak/any.ts', 'src/keycloak/any.spec.ts'];
    const restricted = restrictedImports([...outside, ...inside]);
    for (const file of outside) {
      expect({ file, restricted: restricted[file] }).toEqual({
        file,
        restricted: expect.arrayContaining([
          'axios',
          '@nestjs/axios',
          'axios/*',
          '@nestjs/axios/*',
        ]),
      });
    }
    for (const file of inside) {
      expect({ file, restricted: restricted[file] }).toEqual({
        file,
        restricted: expect.not.arrayContaining(['axios']),
      });
    }
  });
});
