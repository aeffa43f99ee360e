import { ApiObject, App, ImplicitTokenResolver, LazyResolver, NumberStringUnionResolver } from 'cdk8s';

const BUILT_IN_RESOLVERS = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];

/**
 * `ApiObject.toJson()` for the Calico objects, whose spec is plain JSON rendered at construction.
 *
 * cdk8s's toJson runs every value of the manifest through the app's resolvers (a ResolutionContext, a key
 * path and an `App.of` walk per value) before sorting it: for 10,000 policies that is most of the time
 * cdk8s spends on them. With only cdk8s's built-in resolvers, plain JSON resolves to itself, so the result
 * is the same sorted copy. The object falls back to cdk8s's own toJson whenever that reasoning does not hold:
 * JSON patches added, custom resolvers on the app, or sorting turned off (CDK8S_DISABLE_SORT).
 * Tests compare both paths on every object the example and the benchmark estate render.
 */
export function renderedObjectJson(obj: ApiObject, spec: any, patched: boolean, cdk8sToJson: () => any): any {
  if (patched || process.env.CDK8S_DISABLE_SORT) return cdk8sToJson();
  const resolvers = (App.of(obj) as Partial<App>).resolvers;
  if (!Array.isArray(resolvers) || resolvers.length !== BUILT_IN_RESOLVERS.length
    || !resolvers.every(r => BUILT_IN_RESOLVERS.some(kind => r instanceof kind))) {
    return cdk8sToJson();
  }
  // metadata.toJson() is already resolved and sorted by cdk8s itself.
  const json: any = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata.toJson() };
  const sortedSpec = sortedCopy(spec);
  if (sortedSpec !== undefined) json.spec = sortedSpec;
  return json;
}

/**
 * What cdk8s's sanitizeValue(value, { sortKeys: true }) returns for plain JSON: keys sorted, nulls dropped
 * (cdk8s does not export it).
 */
function sortedCopy(value: any): any {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortedCopy);
  const out: { [key: string]: any } = {};
  for (const key of Object.keys(value).sort()) {
    const v = sortedCopy(value[key]);
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}
