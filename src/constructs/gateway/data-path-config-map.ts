import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { PART_OF, PART_OF_LABEL } from '../../model/vocabulary';

/** Name of the ConfigMap holding the data-path configuration, in every namespace an agent runs in. */
export const DATA_PATH_CONFIG_MAP = 'egress-data-path';
/** Its key, and the file name the agents read. */
export const DATA_PATH_CONFIG_FILE = 'data-path.json';
/** Where the agents mount it. */
export const DATA_PATH_MOUNT = '/etc/cdk8s-egress';

const maps = new WeakMap<IConstruct, Map<string, kplus.ConfigMap>>();

/**
 * The app's data-path ConfigMap in `namespace` (a pod mounts ConfigMaps of its own namespace only, so
 * gateways in several namespaces each get a copy of the same document). Created under the first scope
 * that asks; filled at synth time from the whole egress model.
 */
export function dataPathConfigMap(scope: Construct, namespace: string): kplus.ConfigMap {
  const root = scope.node.root;
  let byNamespace = maps.get(root);
  if (!byNamespace) maps.set(root, byNamespace = new Map());
  let cm = byNamespace.get(namespace);
  if (!cm) {
    cm = new kplus.ConfigMap(scope, `DataPathConfig-${namespace}`, {
      metadata: { name: DATA_PATH_CONFIG_MAP, namespace, labels: { [PART_OF_LABEL]: PART_OF } },
    });
    byNamespace.set(namespace, cm);
  }
  return cm;
}

/** Every data-path ConfigMap of the app. */
export function dataPathConfigMaps(root: IConstruct): kplus.ConfigMap[] {
  return [...(maps.get(root)?.values() ?? [])];
}
