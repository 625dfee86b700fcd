import { selectSource } from './select-source';

describe(selectSource.name, () => {
  const docker = (answer: boolean) => jest.fn(() => Promise.resolve(answer));

  it('should use an external KEYCLOAK_URL first, without asking Docker', async () => {
    const dockerAvailable = docker(true);
    await expect(selectSource({ externalUrl: 'http://kc:8080', dockerAvailable })).resolves.toBe(
      'external',
    );
    expect(dockerAvailable).not.toHaveBeenCalled();
  });

  it('should use testcontainers when a Docker engine answers', async () => {
    await expect(selectSource({ dockerAvailable: docker(true) })).resolves.toBe('testcontainers');
  });

  it('should fall back to the Maven distribution without a Docker engine', async () => {
    await expect(selectSource({ dockerAvailable: docker(false) })).resolves.toBe('distribution');
  });

  it('should honour KEYCLOAK_HARNESS=distribution even with Docker', async () => {
    const dockerAvailable = docker(true);
    await expect(selectSource({ forced: 'distribution', dockerAvailable })).resolves.toBe(
      'distribution',
    );
    expect(dockerAvailable).not.toHaveBeenCalled();
  });

  it('should refuse an unknown KEYCLOAK_HARNESS value', async () => {
    await expect(
      selectSource({ forced: 'podman', dockerAvailable: docker(false) }),
    ).rejects.toThrow('KEYCLOAK_HARNESS=podman is not one of distribution, testcontainers');
  });
});
