import { FlowRecord } from './flow-record';
import { DestinationSetModel, EgressModelDocument } from '../../model/egress-model-document';

/**
 * What a flow's destination is, as far as Goldmane's flow says: Felix reports no destination address, only the
 * endpoint it belongs to — a pod, a host endpoint, a Service (before kube-proxy's translation), the most specific
 * (Global)NetworkSet containing it, or else just "pub"/"pvt" (public or RFC 1918 private network).
 */
export enum FlowDestinationKind {
  /** A destination set of this app (its GlobalNetworkSet or NetworkSet named the address). */
  DESTINATION_SET = 'destination-set',
  /** A network set this app does not declare (the cluster's own, or another app's). */
  NETWORK_SET = 'network-set',
  /** An address in no network set: Goldmane says only "pub" or "pvt". */
  NETWORK = 'network',
  /** The Kubernetes API server (the `kubernetes` Service of `default`). */
  API_SERVER = 'api-server',
  /** A pod, a Service, or a host endpoint. */
  IN_CLUSTER = 'in-cluster',
}

export interface FlowDestination {
  readonly kind: FlowDestinationKind;
  /** Identity within a zone's groups. */
  readonly key: string;
  /** How the report names it. */
  readonly description: string;
  /** The network set's or endpoint's name ("pub"/"pvt" for a network). */
  readonly name: string;
  /** @default - global */
  readonly namespace?: string;
  /** The app's destination set, for DESTINATION_SET. */
  readonly set?: DestinationSetModel;
}

/** Felix writes "-" where a field does not apply (collector/utils FieldNotIncluded). */
function present(value: string): string | undefined {
  return value === '' || value === '-' ? undefined : value;
}

/** The app's destination sets by "<namespace>/<name>" (namespace "" for global ones): built once per report, asked per flow. */
export function destinationSetIndex(doc: EgressModelDocument): Map<string, DestinationSetModel> {
  return new Map(doc.destinationSets.map(s => [`${s.namespace ?? ''}/${s.name}`, s]));
}

export function flowDestination(sets: Map<string, DestinationSetModel>, r: FlowRecord): FlowDestination {
  const namespace = present(r.destNamespace);
  const service = present(r.destServiceName);
  const serviceNamespace = present(r.destServiceNamespace);
  if (service === 'kubernetes' && serviceNamespace === 'default') {
    return { kind: FlowDestinationKind.API_SERVER, key: 'api-server', name: 'kubernetes', namespace: 'default', description: 'the API server (Service default/kubernetes)' };
  }
  if (service !== undefined) {
    const ns = serviceNamespace ?? namespace;
    return { kind: FlowDestinationKind.IN_CLUSTER, key: `service:${ns}/${service}`, name: service, namespace: ns, description: `Service ${ns ? `${ns}/` : ''}${service}` };
  }
  switch (r.destType) {
    case 'WorkloadEndpoint':
      return { kind: FlowDestinationKind.IN_CLUSTER, key: `pod:${namespace}/${r.destName}`, name: r.destName, namespace, description: `pods ${namespace}/${r.destName}` };
    case 'HostEndpoint':
      return { kind: FlowDestinationKind.IN_CLUSTER, key: `host:${r.destName}`, name: r.destName, description: `host endpoint ${r.destName}` };
    case 'NetworkSet': {
      const set = sets.get(`${namespace ?? ''}/${r.destName}`);
      const object = namespace ? `NetworkSet ${namespace}/${r.destName}` : `GlobalNetworkSet ${r.destName}`;
      if (set) {
        return { kind: FlowDestinationKind.DESTINATION_SET, key: `set:${namespace ?? ''}/${r.destName}`, name: r.destName, namespace, set, description: `destination set "${set.name}" (${object})` };
      }
      return { kind: FlowDestinationKind.NETWORK_SET, key: `set:${namespace ?? ''}/${r.destName}`, name: r.destName, namespace, description: `${object}, not declared by this app` };
    }
    default: {
      const name = r.destName === 'pvt' ? 'pvt' : 'pub';
      const what = name === 'pvt' ? 'a private address (10/8, 172.16/12, 192.168/16)' : 'a public address';
      return { kind: FlowDestinationKind.NETWORK, key: `net:${name}`, name, description: `${what} in no network set (Goldmane reports no address)` };
    }
  }
}
