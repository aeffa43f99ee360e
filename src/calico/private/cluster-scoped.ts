/** Drops metadata.namespace, which a chart sets on every object, from a cluster-scoped object's manifest. */
export function withoutNamespace(json: any): any {
  if (json?.metadata) delete json.metadata.namespace;
  return json;
}
