/**
 * What a zone's rules allow, resolved from the model for backends that write addresses and names inline
 * (Cilium, Kubernetes NetworkPolicy) rather than referring to shared sets as Calico does.
 */
import { Cidr } from '../model/cidr';
import { DestinationCidrModel, EgressModelDocument, EgressRuleModel } from '../model/egress-model-document';
import { Port, PortModel } from '../model/port';

/** The addresses and names one rule allows. */
export interface RuleDestinations {
  /** Aggregated addresses of every set the rule allows (IPv4 first, de-duplicated). */
  readonly cidrs: DestinationCidrModel[];
  /** Domain names of every set the rule allows (sorted, de-duplicated). */
  readonly domains: string[];
}

/** Resolves a rule's destination sets. */
export function ruleDestinations(rule: EgressRuleModel, doc: EgressModelDocument): RuleDestinations {
  const cidrs = new Map<string, DestinationCidrModel>();
  const domains = new Set<string>();
  for (const name of rule.destinationSets) {
    const set = doc.destinationSets.find(s => s.name === name);
    if (!set) continue;
    for (const c of set.cidrs) if (!cidrs.has(c.cidr)) cidrs.set(c.cidr, c);
    set.domains.forEach(d => domains.add(d));
  }
  // Sets are aggregated and sorted already; a stable sort by family keeps that order within a family.
  const list = [...cidrs.values()].sort((a, b) => a.ipVersion - b.ipVersion);
  return { cidrs: list, domains: [...domains].sort() };
}

/**
 * The cluster ranges strictly inside `cidr`: an allowed external prefix that happens to cover pod or
 * service ranges must not allow in-cluster traffic by address (ipBlock/toCIDRSet `except`).
 */
export function clusterExceptions(cidr: string, clusterCidrs: string[]): string[] {
  const outer = Cidr.parse(cidr);
  return clusterCidrs
    .map(c => Cidr.parse(c))
    .filter(c => c.family === outer.family && outer.contains(c) && !c.sameAs(outer))
    .map(c => c.toString());
}

/**
 * Whether a rule prefix lies inside a cluster range (or is one): a zone's rules never open in-cluster
 * traffic (only the zone's `inCluster` choice does), so such a prefix allows nothing.
 */
export function insideCluster(cidr: string, clusterCidrs: string[]): boolean {
  const inner = Cidr.parse(cidr);
  return clusterCidrs.some(c => {
    const range = Cidr.parse(c);
    return range.family === inner.family && range.contains(inner);
  });
}

/** The cluster ranges that overlap any of these prefixes (what a Calico rule must leave out with notNets). */
export function overlappingClusterRanges(cidrs: string[], clusterCidrs: string[]): string[] {
  const parsed = cidrs.map(c => Cidr.parse(c));
  return clusterCidrs.filter(c => {
    const range = Cidr.parse(c);
    return parsed.some(p => p.family === range.family && p.overlaps(range));
  });
}

/** True when the prefix is IPv6. */
export function isIpv6(cidr: string): boolean {
  return cidr.includes(':');
}

/** The ports of a model rule as value objects. */
export function portsOf(models: PortModel[]): Port[] {
  return models.map(m => Port.fromModel(m));
}
