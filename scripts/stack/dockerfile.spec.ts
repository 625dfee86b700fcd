import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { REPO_ROOT } from '../keycloak/version';

/**
 * The Dockerfile, linted by dockerfile-utils: the validator behind the Dockerfile diagnostics of
 * VS Code's Docker extension (syntax, arguments, flags, durations, deprecated instructions,
 * relative WORKDIR, casing). hadolint would be the usual choice but installs from neither npm
 * nor Debian here; dockerfile-utils is plain CommonJS on npm.
 */
function problems(content: string): string[] {
  return validate(content).map((d) => {
    // LSP diagnostics may carry markup; dockerfile-utils' carry plain strings.
    const message = typeof d.message === 'string' ? d.message : d.message.value;
    return `line ${d.range.start.line + 1}: ${message}`;
  });
}

describe('Dockerfile', () => {
  it('should have no lint errors or warnings', () => {
    expect(problems(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('should build orders-api into the image, where docker-compose.yml runs it', () => {
    const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(text).toContain('COPY examples/orders-api ./examples/orders-api');
    expect(text).toMatch(/RUN npm run build && npm run orders-api:build && npm prune --omit=dev/);
    expect(text).toContain(
      'COPY --from=build --chown=node:node /app/examples/orders-api/dist ./examples/orders-api/dist',
    );
  });

  it('should make the lint able to fail', () => {
    const bad =
      'FROM node:22\nMAINTAINER someone\nWORKDIR app\nHEALTHCHECK --interval=soon CMD true\n';
    expect(problems(bad)).toEqual([
      'line 2: MAINTAINER has been deprecated',
      'line 3: WORKDIR paths should be absolute',
      'line 4: time: invalid duration soon',
    ]);
  });
});
