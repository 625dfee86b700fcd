import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

const EXAMPLE_KEY = Symbol('env:example');

/** Records a valid example for an env variable, shown when the variable is missing or bad. */
export function EnvExample(example: string): PropertyDecorator {
  return (target, property) => {
    Reflect.defineMetadata(EXAMPLE_KEY, example, target, property);
  };
}

export class EnvValidationError extends Error {
  constructor(readonly lines: string[]) {
    super(`Invalid configuration:\n${lines.join('\n')}`);
    this.name = EnvValidationError.name;
  }
}

type EnvClass<T> = new () => T;

function describe(error: ValidationError, prototype: object): string {
  const example = Reflect.getMetadata(EXAMPLE_KEY, prototype, error.property) as string | undefined;
  const suffix = example === undefined ? '' : ` (example: ${error.property}=${example})`;
  if (error.value === undefined) {
    return `${error.property} is required${suffix}`;
  }
  // class-validator's default messages start with the property name; ours do not.
  const reasons = Object.values(error.constraints ?? {})
    .map((reason) => reason.replace(new RegExp(`^${error.property}\\s+`), ''))
    .join('; ');
  return `${error.property} is invalid: ${reasons}${suffix}`;
}

/** Validates one namespace's variables; returns the typed values or the lines that name each bad one. */
export function checkEnv<T extends object>(
  cls: EnvClass<T>,
  env: NodeJS.ProcessEnv,
): { value: T; errors: string[] } {
  // Empty strings count as unset: `FOO=` in a .env file should not defeat a default.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const value: T = plainToInstance(cls, present, {
    enableImplicitConversion: false,
    exposeDefaultValues: true,
  });
  const errors = validateSync(value, { skipMissingProperties: false, forbidUnknownValues: true });
  return { value, errors: errors.map((e) => describe(e, cls.prototype as object)) };
}

/** Like checkEnv but throws, for use inside `registerAs` factories. */
export function validateEnv<T extends object>(cls: EnvClass<T>, env: NodeJS.ProcessEnv): T {
  const { value, errors } = checkEnv(cls, env);
  if (errors.length > 0) {
    throw new EnvValidationError(errors);
  }
  return value;
}

export function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `"42"` → 42 for @Transform; anything else is left for the validators to reject. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** Only the words true and false are booleans. */
export const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;
