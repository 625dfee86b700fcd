import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ListUsersQuery } from './list-users.query';

function validate(query: Record<string, string>) {
  const value = plainToInstance(ListUsersQuery, query);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  return { value, fields: errors.map((e) => e.property) };
}

describe(ListUsersQuery.name, () => {
  it('should default to the first page of 20', () => {
    expect(validate({})).toEqual({
      value: expect.objectContaining({ first: 0, max: 20 }),
      fields: [],
    });
  });

  it('should take the largest first Keycloak reads, and names in any script', () => {
    const { value, fields } = validate({ first: '2147483647', search: '王 Ünïcødé 😀' });
    expect(fields).toEqual([]);
    expect(value).toMatchObject({ first: 2_147_483_647 });
  });

  it('should turn query strings into numbers and booleans', () => {
    const { value, fields } = validate({
      first: '40',
      max: '100',
      exact: 'true',
      enabled: 'false',
      search: 'wa',
    });
    expect(fields).toEqual([]);
    expect(value).toMatchObject({ first: 40, max: 100, exact: true, enabled: false, search: 'wa' });
  });

  it.each([
    [{ max: '101' }, 'max'],
    [{ max: '0' }, 'max'],
    [{ max: '1.5' }, 'max'],
    [{ first: '-1' }, 'first'],
    [{ first: 'x' }, 'first'],
    [{ exact: '1' }, 'exact'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ search: 'x'.repeat(256) }, 'search'],
    [{ first: '2147483648' }, 'first'],
    [{ first: '99999999999999999999' }, 'first'],
    [{ search: 'wa\u0000' }, 'search'],
    [{ username: 'a\u0001b' }, 'username'],
    [{ email: 'a@b.c\n' }, 'email'],
    [{ search: '\u007f' }, 'search'],
    [{ search: '\u0085' }, 'search'],
    [{ sort: 'name' }, 'sort'],
  ])('should refuse %j', (query, field) => {
    expect(validate(query).fields).toEqual([field]);
  });
});
