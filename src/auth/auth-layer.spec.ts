import { restrictedImports } from '../../test/utils/eslint-rules';
import { AuthModule } from './auth.module';

describe(AuthModule.name, () => {
  it('should not be allowed to import the session mode, and keep the axios ban (eslint.config.mjs)', () => {
    const auth = ['src/auth/any.ts', 'src/auth/guards/any.ts', 'src/auth/any.spec.ts'];
    const others = ['src/session/any.ts', 'src/app.module.ts', 'src/users/any.ts'];
    const restricted = restrictedImports([...auth, ...others]);
    for (const file of auth) {
      expect({ file, restricted: restricted[file] }).toEqual({
        file,
        restricted: expect.arrayContaining(['**/session/**', 'axios', '@nestjs/axios']),
      });
    }
    // The app assembles auth and session: it, and the session mode itself, may import both.
    for (const file of others) {
      expect({ file, restricted: restricted[file] }).toEqual({
        file,
        restricted: expect.not.arrayContaining(['**/session/**']),
      });
    }
  });
});
