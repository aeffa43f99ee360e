import { Cidr } from '../model/cidr';
import { DestinationSetModel, EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { EgressValidationError } from '../model/errors';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';
import { Selector } from '../model/selector';
import { CALICO_NAMESPACE_NAME_LABEL, NAMESPACE_NAME_LABEL } from '../model/vocabulary';

/** A question: may this workload reach this destination? */
export interface CanReachQuery {
  /** Namespace of the workload. */
  readonly namespace: string;
  /**
   * Labels of the pod.
   * @default - no labels
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Labels of the namespace (besides its name labels, which are always known).
   * @default - only the name labels
   */
  readonly namespaceLabels?: { [key: string]: string };
  /** Destination IP address. */
  readonly ip: string;
  /** Protocol number (6 TCP, 17 UDP, 1 ICMP, …). */
  readonly protocol: number;
  /**
   * Destination port (or ICMP type).
   * @default - none
   */
  readonly port?: number;
}

/** A parsed destination of a can-reach question. */
export interface CanReachDestination {
  /** Destination IP address (canonical). */
  readonly ip: string;
  /** Protocol number. */
  readonly protocol: number;
  /**
   * Port, or ICMP type.
   * @default - none
   */
  readonly port?: number;
}

/** The answer, with the rule that decided it. */
export interface CanReachAnswer {
  /** Whether the traffic is allowed. */
  readonly allowed: boolean;
  /**
   * The zone that decided.
   * @default - no zone selects the workload
   */
  readonly zone?: string;
  /** The rule that decided: a rule name, "dns", "in-cluster", "default-deny-external", "not-in-any-zone", "in-cluster-fallthrough". */
  readonly rule: string;
  /** Human-readable reason. */
  readonly reason: string;
  /**
   * The destination set that matched.
   * @default - none
   */
  readonly destinationSet?: string;
  /**
   * Descriptions of the matched destination prefix.
   * @default - none
   */
  readonly descriptions?: string[];
}

/**
 * Answers "may this workload reach ip:port/proto?" from the egress model alone, the way the zone policy
 * evaluates it (Calico semantics: zones by order, rules in order, first match decides). Like Capirca's
 * aclcheck, for Kubernetes egress.
 */
export class CanReach {
  /** Parses "<ip>:<port>/<proto>", "[<ipv6>]:<port>/<proto>" or "<ip>/icmp[/<type>]" into a query. */
  public static parseDestination(text: string): CanReachDestination {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:/\s]+|[0-9a-fA-F:]+(?=\/)))(?::([0-9]+))?\/([A-Za-z0-9]+)(?:\/([0-9]+))?$/.exec(text.trim());
    if (!m) throw new EgressValidationError('--to', text, 'is not "<ip>:<port>/<proto>", "[<ipv6>]:<port>/<proto>" or "<ip>/icmp[/<type>]"');
    const ip = m[1] ?? m[2];
    const cidr = Cidr.parse(ip);
    if (cidr.prefixLength !== (cidr.family === 'IPv4' ? 32 : 128)) throw new EgressValidationError('--to', text, 'must name one address');
    const port = Port.parse(m[3] !== undefined ? `${m[4]}/${m[3]}` : m[5] !== undefined ? `${m[4]}/${m[5]}` : m[4]);
    return { ip: cidr.networkAddress, protocol: port.protocol!.number, port: port.fromPort ?? port.icmpType };
  }

  /** Evaluates a query against a model. */
  public static evaluate(doc: EgressModelDocument, query: CanReachQuery): CanReachAnswer {
    const target = Cidr.parse(query.ip);
    const zones = doc.zones.filter(z => CanReach.selects(z, query)).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
    if (zones.length === 0) {
      return { allowed: true, rule: 'not-in-any-zone', reason: `no zone selects pods of namespace "${query.namespace}" with these labels; Kubernetes allows all egress by default` };
    }
    const inCluster = doc.clusterCidrs.some(c => Cidr.parse(c).contains(target));
    const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
    for (const zone of zones) {
      const dnsServer = zone.dns.cidrs.some(c => Cidr.parse(c).contains(target));
      if (zone.dns.enabled && dnsServer && zone.dns.ports.some(p => Port.fromModel(p).matches(query.protocol, query.port))) {
        return { allowed: true, zone: zone.name, rule: 'dns', reason: `DNS to ${query.ip} is allowed by zone "${zone.name}"` };
      }
      if (inCluster && zone.allowInCluster) {
        return { allowed: true, zone: zone.name, rule: 'in-cluster', reason: `zone "${zone.name}" allows in-cluster traffic` };
      }
      for (const rule of zone.rules) {
        const hit = CanReach.matchRule(rule, sets, target, query);
        if (hit) {
          return {
            allowed: true,
            zone: zone.name,
            rule: rule.name,
            reason: `allowed by rule "${rule.name}" of zone "${zone.name}" (${hit.set.name} ${hit.cidr}${rule.description ? `: ${rule.description}` : ''})`,
            destinationSet: hit.set.name,
            descriptions: hit.descriptions,
          };
        }
      }
      if (inCluster) {
        return {
          allowed: false,
          zone: zone.name,
          rule: 'in-cluster-fallthrough',
          reason: `${query.ip} is in-cluster; zone "${zone.name}" leaves it to the cluster's other policies, and without one allowing it Calico's end-of-tier deny drops it`,
        };
      }
    }
    const first = zones[0];
    return {
      allowed: false,
      zone: first.name,
      rule: 'default-deny-external',
      reason: `no rule of zone${zones.length > 1 ? 's' : ''} ${zones.map(z => `"${z.name}"`).join(', ')} allows ${query.ip}${query.port !== undefined ? ` port ${query.port}` : ''} (${Protocol.of(query.protocol).name}): denied by default`,
    };
  }

  private static selects(zone: EgressZoneModel, q: CanReachQuery): boolean {
    const nsLabels = { ...(q.namespaceLabels ?? {}), [CALICO_NAMESPACE_NAME_LABEL]: q.namespace, [NAMESPACE_NAME_LABEL]: q.namespace };
    const nsMatch = zone.members.namespaces.includes(q.namespace)
      || (zone.members.namespaceSelector !== undefined && Selector.parse(zone.members.namespaceSelector).matches(nsLabels));
    return nsMatch && Selector.parse(zone.members.podSelector).matches(q.podLabels ?? {});
  }

  private static matchRule(rule: EgressRuleModel, sets: Map<string, DestinationSetModel>, target: Cidr, q: CanReachQuery) {
    if (rule.ports.length > 0 && !rule.ports.some(p => Port.fromModel(p).matches(q.protocol, q.port))) return undefined;
    for (const name of rule.destinationSets) {
      const set = sets.get(name);
      const c = set?.cidrs.find(x => x.ipVersion === (target.family === 'IPv4' ? 4 : 6) && Cidr.parse(x.cidr).contains(target));
      if (set && c) return { set, cidr: c.cidr, descriptions: c.descriptions };
    }
    return undefined;
  }

  private constructor() {}
}
