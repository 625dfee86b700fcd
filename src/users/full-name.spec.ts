import { fullName } from './full-name';

describe(fullName.name, () => {
  it.each([
    [{ firstName: '小明', lastName: '王' }, '王 小明'],
    [{ firstName: 'Alice', lastName: 'Liddell' }, 'Liddell Alice'],
    [{ firstName: 'Alice' }, 'Alice'],
    [{ lastName: 'Liddell' }, 'Liddell'],
    [{ firstName: '  Alice ', lastName: '' }, 'Alice'],
    [{ firstName: null, lastName: null }, null],
    [{}, null],
    [{ firstName: '  ', lastName: ' ' }, null],
  ])('should turn %j into %j', (user, expected) => {
    expect(fullName(user)).toBe(expected);
  });
});
