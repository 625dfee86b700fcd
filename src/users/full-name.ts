/**
 * Family name first, the convention of the system this BFF replaces: lastName + " " + firstName
 * (王 小明). A missing part leaves no stray space; with neither part there is no name.
 */
export function fullName(user: {
  firstName?: string | null;
  lastName?: string | null;
}): string | null {
  const name = [user.lastName, user.firstName]
    .map((part) => (part ?? '').trim())
    .filter((part) => part.length > 0)
    .join(' ');
  return name.length > 0 ? name : null;
}
