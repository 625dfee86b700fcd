import { ValidateBy, type ValidationOptions } from 'class-validator';

/** C0 controls (NUL to US), DEL and the C1 controls. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (isControl(value.charCodeAt(i))) {
      return true;
    }
  }
  return false;
}

/**
 * A string with no control character. Keycloak refuses some in query values ("Blocking invalid
 * query parameter value", e.g. NUL), which would be a 502 for a caller's typo; no name, address or
 * search term holds one, so they are the caller's mistake, answered before Keycloak sees them.
 */
export function NoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noControlCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasControlCharacter(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must not contain control characters`,
      },
    },
    options,
  );
}
