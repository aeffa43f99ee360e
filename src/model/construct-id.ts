import type { IConstruct } from 'constructs';
import { EgressValidationError } from './errors';

/** The construct path a child `id` of `scope` will have (constructs skips scopes with an empty id). */
export function childPath(scopePath: string, id: string): string {
  return scopePath ? `${scopePath}/${id}` : id;
}

/**
 * A new construct's id, checked before the `constructs` library sees it: its own errors for an empty or taken
 * id name no path and no construct kind. `kind` is the class users wrote (`EgressZone`).
 */
export function constructId(scope: IConstruct, id: string, kind: string): string {
  const where = scope.node.path || 'the app';
  if (typeof id !== 'string') {
    throw new EgressValidationError(`${kind} id`, String(id), 'is not a string', where, `new ${kind}(scope, "${String(id)}", …)`);
  }
  if (id === '') {
    throw new EgressValidationError(`${kind} id`, id, 'is empty: only the root of a construct tree has no id', where,
      `give it an id unique in ${where}, e.g. new ${kind}(scope, "web", …)`);
  }
  if (scope.node.tryFindChild(id) !== undefined) {
    throw new EgressValidationError(`${kind} id`, id, `is already taken by another construct in ${where}`, childPath(scope.node.path, id),
      'ids must be unique among the constructs of one scope: pick another id');
  }
  return id;
}
