/**
 * One zone's egress rules as ClusterNetworkPolicy rules, in the order the API evaluates them (the first rule whose
 * peers and protocols match decides): DNS, the API server, in-cluster destinations by the zone's choice, the zone's
 * rules, and the final Deny of everything (the zone's default deny). In-cluster traffic is decided before the
 * zone's rules, so an allowed prefix that covers cluster ranges never opens them (the API's `networks` match
 * in-cluster addresses too, and have no `except`).
 */
import { BackendProblems } from './backend-problems';
import { CNP_MAX_ITEMS, CnpAction, CnpEgressPeer, CnpEgressRule, CnpPort, CnpProtocol } from './cluster-network-policy-types';
import { translateSelector } from './kube-selector';
import { insideCluster, portsOf, ruleDestinations } from './zone-destinations';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { InClusterTraffic, inClusterOf, inClusterRanges } from '../model/in-cluster-traffic';
import { Port } from '../model/port';
import { NAMESPACE_NAME_LABEL } from '../model/vocabulary';

const BACKEND = 'cluster-network-policy';
/** v0.3.0's DomainName pattern: `*.` only as a prefix, at least two labels. */
const DOMAIN_NAME = /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;
const IN_CLUSTER_ACTION: { [choice: string]: CnpAction } = {
  [InClusterTraffic.ALLOW]: 'Accept',
  [InClusterTraffic.PASS]: 'Pass',
  [InClusterTraffic.DENY]: 'Deny',
};

/** A zone's rules: the Admin tier's, and the Baseline tier's when the zone passes in-cluster traffic on. */
export interface ZoneEgress {
  readonly admin: CnpEgressRule[];
  /** The Baseline tier's Deny of in-cluster traffic: what no NetworkPolicy decided is dropped. */
  readonly baseline?: CnpEgressRule[];
  /** Rules with domain names (experimental in v0.3.0), by construct path. */
  readonly domainRules: { readonly path: string; readonly rule: string }[];
}

export function zoneEgress(zone: EgressZoneModel, doc: EgressModelDocument, problems: BackendProblems): ZoneEgress {
  const admin: CnpEgressRule[] = [];
  const domainRules: { path: string; rule: string }[] = [];
  if (zone.dns.enabled) {
    const dnsPods = translateSelector(zone.dns.podSelector, '', `DNS pod selector of zone "${zone.name}"`, zone.path, problems);
    const protocols = cnpProtocols(portsOf(zone.dns.ports), `DNS ports of zone "${zone.name}"`, zone.path, problems);
    const to: CnpEgressPeer[] = [
      { pods: { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: zone.dns.namespace } }, podSelector: dnsPods } },
      ...networkPeers(zone.dns.cidrs),
    ];
    admin.push(withProtocols({ name: 'dns', action: 'Accept', to }, protocols));
  }
  if (zone.allowApiServer && doc.apiServer) {
    admin.push({ name: 'api-server', action: 'Accept', to: networkPeers(doc.apiServer.cidrs), protocols: [{ tcp: { destinationPort: { number: doc.apiServer.port } } }] });
  }
  const clusterRanges = inClusterRanges(doc);
  // Every pod (host-networked pods excepted), and the pod, Service and node ranges by address.
  const inCluster: CnpEgressPeer[] = [{ namespaces: {} }, ...networkPeers(clusterRanges)];
  const choice = inClusterOf(zone);
  admin.push({ name: 'in-cluster', action: IN_CLUSTER_ACTION[choice], to: inCluster });

  for (const rule of zone.rules) {
    const dest = ruleDestinations(rule, doc);
    const cidrs = dest.cidrs.map(c => c.cidr).filter(c => !insideCluster(c, clusterRanges));
    for (const d of dest.domains.filter(x => !DOMAIN_NAME.test(x))) {
      problems.add(`domain name "${d}" (rule "${rule.name}": ClusterNetworkPolicy's domainNames take an exact name of two or more labels, or "*." before one)`,
        rule.path, 'write the name with its parent domain, e.g. "*.example.com"');
    }
    if (dest.domains.length > 0) domainRules.push({ path: rule.path, rule: rule.name });
    const to = [...networkPeers(cidrs), ...chunks(dest.domains, CNP_MAX_ITEMS).map(domainNames => ({ domainNames }))];
    if (to.length === 0) continue;
    if (to.length > CNP_MAX_ITEMS) {
      problems.add(`more than ${CNP_MAX_ITEMS * CNP_MAX_ITEMS} destinations in one rule (rule "${rule.name}": ${cidrs.length} prefixes, ${dest.domains.length} names; ${CNP_MAX_ITEMS} peers of ${CNP_MAX_ITEMS})`,
        rule.path, 'split the rule');
      continue;
    }
    const protocols = rule.ports.length === 0 ? undefined : cnpProtocols(portsOf(rule.ports), `rule "${rule.name}" of zone "${zone.name}"`, rule.path, problems);
    admin.push(withProtocols({ name: rule.name, action: 'Accept', to }, protocols));
  }
  // The zone's default deny: the last rule of the policy, both families.
  admin.push({ name: 'default-deny', action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] });
  if (admin.length > CNP_MAX_ITEMS) {
    problems.add(`more than ${CNP_MAX_ITEMS} egress rules in one ClusterNetworkPolicy (zone "${zone.name}": ${zone.rules.length} rules, plus DNS, in-cluster and the default deny)`,
      zone.path, 'merge rules that share their ports, or split the zone');
  }
  const baseline = choice === InClusterTraffic.PASS ? [{ name: 'in-cluster', action: 'Deny' as CnpAction, to: inCluster }] : undefined;
  return { admin, baseline, domainRules };
}

/** The protocols of a port list; `undefined` means every protocol (a rule without `protocols`). */
function cnpProtocols(ports: Port[], what: string, path: string, problems: BackendProblems): CnpProtocol[] | undefined {
  if (ports.some(p => p.isAllTraffic)) return undefined;
  const out: CnpProtocol[] = [];
  for (const p of ports) {
    const proto = p.protocol!;
    if (!proto.supportsPorts) {
      problems.addUnsupported(proto.isIcmp ? 'icmp' : 'other-protocols',
        `protocol ${proto.name} (${what}: "${p}"; ClusterNetworkPolicy matches TCP, UDP and SCTP ports, or every protocol)`, path,
        proto.isIcmp ? 'allow every protocol (Port.allTraffic(), which includes ICMP), or use Backend.CALICO' : 'use Backend.CALICO');
      continue;
    }
    if (p.portName !== undefined) {
      problems.add(`named port "${p}" (${what}): destinationNamedPort is experimental in v0.3.0 and cannot be used with networks`, path, 'give the port number');
      continue;
    }
    const destinationPort: CnpPort = p.fromPort === undefined ? { range: { start: 1, end: 65535 } }
      : p.fromPort === p.toPort ? { number: p.fromPort } : { range: { start: p.fromPort, end: p.toPort! } };
    const key = proto.number === 6 ? 'tcp' : proto.number === 17 ? 'udp' : 'sctp';
    out.push({ [key]: { destinationPort } });
  }
  if (out.length > CNP_MAX_ITEMS) problems.add(`more than ${CNP_MAX_ITEMS} ports (${what})`, path, 'use port ranges');
  return out;
}

function withProtocols(rule: CnpEgressRule, protocols: CnpProtocol[] | undefined): CnpEgressRule {
  return protocols === undefined ? rule : { ...rule, protocols };
}

/** `networks` peers of at most 25 prefixes each. */
function networkPeers(cidrs: string[]): CnpEgressPeer[] {
  return chunks(cidrs, CNP_MAX_ITEMS).map(networks => ({ networks }));
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export { BACKEND as CLUSTER_NETWORK_POLICY_BACKEND };
