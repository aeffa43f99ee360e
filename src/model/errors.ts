/**
 * Errors raised at synth time for bad input.
 *
 * One format everywhere, so users can grep CI logs and tests can match on it:
 *   `<what> "<value>" <why> (at <construct path>)` and, where one is obvious, `; hint: <hint>`.
 *
 * Not exported from the package root: jsii cannot expose subclasses of the built-in Error,
 * and other languages see a plain exception with the same message anyway.
 */
export class EgressValidationError extends Error {
  /**
   * A value object's problem, raised before any construct holds it: named by the factory the user called,
   * `<field> "<value>" <why> (in Port.tcp()); hint: <hint>`.
   */
  public static inFactory(factory: string, field: string, value: unknown, reason: string, hint?: string): EgressValidationError {
    return new EgressValidationError(field, value, reason, undefined, hint, factory);
  }

  public readonly field: string;
  public readonly value: string;
  public readonly reason: string;
  public readonly path?: string;
  public readonly hint?: string;
  /** The factory that raised it, when no construct path is known. */
  public readonly factory?: string;

  constructor(field: string, value: unknown, reason: string, path?: string, hint?: string, factory?: string) {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    const text = `${field} "${shown}" ${reason}`;
    super(problem(!path && factory ? `${text} (in ${factory})` : text, path || undefined, hint));
    this.name = 'EgressValidationError';
    this.field = field;
    this.value = shown;
    this.reason = reason;
    this.path = path;
    this.hint = hint;
    this.factory = factory;
  }

  /** The same error named by `factory`, unless it already names a path or a factory. */
  public calledFrom(factory: string): EgressValidationError {
    if (this.path || this.factory) return this;
    return new EgressValidationError(this.field, this.value, this.reason, undefined, this.hint, factory);
  }

  /**
   * The same error located at a construct path, with the field prefixed by the caller's field
   * (e.g. a value-object error "port" raised inside AllowExternal's "ports[2]").
   */
  public at(path: string, field?: string): EgressValidationError {
    return new EgressValidationError(field ?? this.field, this.value, this.reason, this.path ?? path, this.hint, this.factory);
  }
}

/**
 * A declaration named with where it is: `<text> (at <path>)`, several paths joined by " and ".
 */
export function located(text: string, ...paths: string[]): string {
  return paths.length === 0 ? text : `${text} (at ${paths.join(' and ')})`;
}

/**
 * One problem in the one format every part of the library reports: `<text> (at <path>)` and, where one is
 * obvious, `; hint: <hint>`. `paths` may be one path, several (" and "), or none.
 */
export function problem(text: string, paths: string | string[] | undefined, hint?: string): string {
  const list = paths === undefined ? [] : typeof paths === 'string' ? [paths] : paths;
  return `${located(text, ...list)}${hint ? `; hint: ${hint}` : ''}`;
}

/**
 * Checks an enum prop (JavaScript callers can pass any string): undefined or one of `choices`' values, else an
 * error at `path` listing them.
 */
export function checkChoice(field: string, value: string | undefined, choices: { readonly [name: string]: string }, path: string,
  hint: string): void {
  const values = Object.values(choices);
  if (value !== undefined && !values.includes(value)) {
    throw new EgressValidationError(field, String(value), `is not one of ${values.join(', ')}`, path, hint);
  }
}

/** Runs `fn`, re-throwing value errors located at `path` under `field`. */
export function locate<T>(path: string, field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EgressValidationError && !e.path) throw e.at(path, field);
    throw e;
  }
}

/** Collects several problems so a user sees all of them in one synth, not one per run. */
export class ValidationErrors {
  private readonly errors: string[] = [];

  public add(message: string): void {
    this.errors.push(message);
  }

  /** The problems collected so far, in the order they were found. */
  public get messages(): string[] {
    return [...this.errors];
  }

  public get count(): number {
    return this.errors.length;
  }

  /** Throws one error listing every collected problem, if there are any. */
  public throwIfAny(context: string): void {
    if (this.errors.length === 0) return;
    if (this.errors.length === 1) throw new Error(this.errors[0]);
    throw new Error(`${context}: ${this.errors.length} problems:\n  - ${this.errors.join('\n  - ')}`);
  }
}
