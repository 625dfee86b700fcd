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

const DEEP_CHECKS_KEY = Symbol('env:deep-checks');

/** Reasons a variable's value is bad beyond its format; each becomes a line of its own. */
export type EnvDeepCheck = (value: unknown, env: NodeJS.ProcessEnv) => string[];

/**
 * A check that runs once the variable's own validators pass and may find several problems,
 * each reported as a line of its own: for a variable that names a file, one line per bad entry
 * of the file rather than one line for the variable.
 */
export function EnvDeepCheck(check: EnvDeepCheck): PropertyDecorator {
  return (target, property) => {
    const checks = new Map(
      (Reflect.getMetadata(DEEP_CHECKS_KEY, target) as Map<string | symbol, EnvDeepCheck>) ?? [],
    );
    checks.set(property, check);
    Reflect.defineMetadata(DEEP_CHECKS_KEY, checks, target);
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
  const lines = errors.map((e) => describe(e, cls.prototype as object));
  const failed = new Set(errors.map((e) => e.property));
  const deepChecks = Reflect.getMetadata(DEEP_CHECKS_KEY, cls.prototype as object) as
    Map<string | symbol, EnvDeepCheck> | undefined;
  for (const [property, check] of deepChecks ?? []) {
    const name = String(property);
    const checked = (value as Record<string, unknown>)[name];
    if (!failed.has(name) && checked !== undefined) {
      lines.push(...check(checked, present).map((reason) => `${name} is invalid: ${reason}`));
    }
  }
  return { value, errors: lines };
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
