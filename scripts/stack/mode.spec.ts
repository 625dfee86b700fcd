import { chooseStackMode, type ModeInputs } from './mode';

function inputs(overrides: Partial<ModeInputs>): ModeInputs {
  return {
    session: false,
    dockerEngine: jest.fn(() => Promise.resolve(true)),
    composeV2: jest.fn(() => true),
    ...overrides,
  };
}

describe(chooseStackMode.name, () => {
  it('should use docker compose when an engine and Compose v2 answer', async () => {
    await expect(chooseStackMode(inputs({}))).resolves.toMatchObject({ mode: 'compose' });
  });

  it('should fall back to the distribution when an engine answers but docker compose does not', async () => {
    const choice = await chooseStackMode(inputs({ composeV2: () => false }));
    expect(choice).toEqual({
      mode: 'distribution',
      why: expect.stringContaining('`docker compose` (Compose v2) does not') as unknown,
    });
  });

  it('should use the distribution without an engine, and not ask for compose then', async () => {
    const composeV2 = jest.fn(() => true);
    const choice = await chooseStackMode(
      inputs({ dockerEngine: () => Promise.resolve(false), composeV2 }),
    );
    expect(choice.mode).toBe('distribution');
    expect(composeV2).not.toHaveBeenCalled();
  });

  it('should run cookie mode on the distribution even with compose at hand', async () => {
    const dockerEngine = jest.fn(() => Promise.resolve(true));
    const choice = await chooseStackMode(inputs({ session: true, dockerEngine }));
    expect(choice.mode).toBe('distribution');
    expect(dockerEngine).not.toHaveBeenCalled();
  });

  it('should honour KEYCLOAK_URL and KEYCLOAK_HARNESS=distribution, and refuse other harnesses', async () => {
    await expect(chooseStackMode(inputs({ keycloakUrl: 'http://kc:8080' }))).resolves.toMatchObject(
      { mode: 'distribution', why: expect.stringContaining('http://kc:8080') as unknown },
    );
    await expect(chooseStackMode(inputs({ harness: 'distribution' }))).resolves.toMatchObject({
      mode: 'distribution',
    });
    await expect(chooseStackMode(inputs({ harness: 'testcontainers' }))).rejects.toThrow(
      'KEYCLOAK_HARNESS=testcontainers: npm run stack takes only distribution (or nothing)',
    );
  });
});
