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
  public readonly field: string;
  public readonly value: string;
  public readonly reason: string;
  public readonly path?: string;

  constructor(field: string, value: unknown, reason: string, path?: string, hint?: string) {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    super(`${field} "${shown}" ${reason}${path ? ` (at ${path})` : ''}${hint ? `; hint: ${hint}` : ''}`);
    this.name = 'EgressValidationError';
    this.field = field;
    this.value = shown;
    this.reason = reason;
    this.path = path;
  }

  /** The same error, located at a construct path (keeps the first location it was given). */
  public at(path: string): EgressValidationError {
    if (this.path) return this;
    const located = new EgressValidationError(this.field, this.value, this.reason, path);
    located.message = `${this.message.replace(/; hint: .*$/, '')} (at ${path})${this.message.match(/; hint: .*$/)?.[0] ?? ''}`;
    return located;
  }
}

/** Collects several problems so a user sees all of them in one synth, not one per run. */
export class ValidationErrors {
  private readonly errors: string[] = [];

  public add(message: string): void {
    this.errors.push(message);
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
