/**
 * Hand-built egress model documents for exporter tests: plain JSON, as the model builder would write
 * it, so each test states exactly the estate it exercises.
 */
import {
  DestinationSetModel, EgressExitMode, EgressGatewayModel, EgressModelDocument, EgressRuleModel, EgressZoneModel,
  NamespaceAssignment, NatPoolModel, PoolEncapsulation,
} from '../../src/model/egress-model-document';
import { PortModel } from '../../src/model/port';

export const TCP_443: PortModel = { protocol: 'TCP', fromPort: 443, toPort: 443 };

export function set(name: string, cidrs: [string, string?][], domains: string[] = []): DestinationSetModel {
  return {
    name,
    path: `test/${name}`,
    cidrs: cidrs.map(([cidr, description]) => ({ cidr, ipVersion: cidr.includes(':') ? 6 : 4, descriptions: description ? [description] : [] })),
    domains,
    labels: {},
  };
}

export function rule(name: string, sets: string[], ports: PortModel[] = [TCP_443], extra: Partial<EgressRuleModel> = {}): EgressRuleModel {
  return { name, path: `test/zone/${name}`, destinationSets: sets, ports, bypassGateway: false, ...extra };
}

export function zone(name: string, rules: EgressRuleModel[], exit: Partial<EgressZoneModel['exit']> = {}): EgressZoneModel {
  return {
    name,
    path: `test/${name}`,
    backend: 'calico',
    members: { namespaces: [name], podSelector: 'all()' },
    dns: { enabled: true, namespace: 'kube-system', podSelector: 'k8s-app == "kube-dns"', ports: [], cidrs: [] },
    inCluster: 'pass',
    rules,
    exit: { mode: EgressExitMode.NAT_OUTGOING, natPools: [], failOpen: false, ...exit },
    order: 100,
    tier: 'default',
  };
}

export function pool(name: string, cidr: string, natOutgoing: boolean, extra: Partial<NatPoolModel> = {}): NatPoolModel {
  return {
    name,
    path: `test/${name}`,
    cidr,
    ipVersion: cidr.includes(':') ? 6 : 4,
    natOutgoing,
    blockSize: cidr.includes(':') ? 122 : 26,
    nodeSelector: 'all()',
    namespaces: [],
    noNatDestinations: [],
    encapsulation: PoolEncapsulation.NONE,
    nodeCidrs: [],
    assignment: NamespaceAssignment.NAMESPACE_ANNOTATION,
    ...extra,
  };
}

export function gateway(name: string, egressIps: string[]): EgressGatewayModel {
  return { name, path: `test/${name}`, namespace: 'egress', egressCidr: '192.0.2.64/28', egressIps, replicas: egressIps.length };
}

export function doc(parts: Partial<EgressModelDocument>): EgressModelDocument {
  return {
    version: 1,
    clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'],
    nodeCidrs: [],
    zones: [],
    destinationSets: [],
    natPools: [],
    gateways: [],
    ...parts,
  };
}
