import { EgressValidationError } from '../../model/errors';

/** Throws the library's validation error for `field` of the construct at `path`. */
export function fail(path: string, field: string, value: unknown, reason: string, hint?: string): never {
  throw new EgressValidationError(field, value, reason, path, hint);
}

/** Fails unless `value` is undefined or an array; returns the array (or an empty one). */
export function arrayAt<T>(path: string, field: string, value: T[] | undefined, maxItems?: number): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, field, value, 'is not a list');
  if (maxItems !== undefined && value.length > maxItems) {
    fail(path, field, `${value.length} items`, `has more than the ${maxItems} items Calico allows`);
  }
  return value;
}

/** Fails at the second occurrence of a repeated value (Calico's list-type "set" fields). */
export function uniqueAt(path: string, field: string, values: readonly unknown[]): void {
  if (values.length < 2) return;
  const seen = new Set<string>();
  values.forEach((v, i) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) fail(path, `${field}[${i}]`, v, 'is listed more than once (Calico keeps this list as a set)');
    seen.add(key);
  });
}
