import { CanReachAnswer, CanReachDestination, CanReachQuery } from './can-reach-query';
import { inClusterAnswer } from './in-cluster-answer';
import { meshLayers } from './mesh-answer';
import { zoneSelects } from './zone-membership';
import { Cidr } from '../model/cidr';
import { DestinationSetModel, EgressExitMode, EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { EgressValidationError } from '../model/errors';
import { validateDnsLabel } from '../model/names';
import { Port } from '../model/port';
import { Protocol } from '../model/protocol';
import { byPrecedence } from '../model/zone-precedence';
import { ZoneSources } from '../model/zone-source';

export * from './can-reach-query';

const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp', 'udplite'];
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Answers "may this workload reach ip:port/proto?" from the egress model alone, the way the zone's own
 * backend evaluates it. One zone decides for a workload: the first by order, then name, of the zones that
 * select it (docs/backends.md, "Overlapping zones"). A zone's rules never open in-cluster ranges (node ranges
 * included): the zone's in-cluster choice decides them; DNS goes to the cluster DNS pods (and its Service
 * address, when declared); `kubernetes.default` is the API server. Like Capirca's aclcheck, for Kubernetes egress.
 */
export class CanReach {
  /**
   * Parses "<ipv4>:<port>/<proto>", "[<ipv6>]:<port>/<proto>", "<name>:<port>/<proto>", "<ip>/icmp[/<type>]"
   * or "<ip>/<proto>" into a query. An IPv6 address with a port needs brackets.
   */
  public static parseDestination(text: string): CanReachDestination {
    const usage = 'is not "<ip>:<port>/<proto>", "[<ipv6>]:<port>/<proto>", "<name>:<port>/<proto>" or "<ip>/icmp[/<type>]"';
    const t = text.trim();
    let host: string;
    let portText: string | undefined;
    let rest: string;
    const bracketed = /^\[([^\]]+)\](?::([0-9]+))?\/(.+)$/.exec(t);
    if (bracketed) {
      [host, portText, rest] = [bracketed[1], bracketed[2], bracketed[3]];
      if (!host.includes(':')) throw new EgressValidationError('--to', text, 'has brackets around an address that is not IPv6');
    } else {
      const slash = t.indexOf('/');
      if (slash < 0) throw new EgressValidationError('--to', text, usage);
      const hostPort = t.slice(0, slash);
      rest = t.slice(slash + 1);
      const colons = hostPort.split(':').length - 1;
      if (colons >= 2) {
        host = hostPort;
        // "2001:db8::5:443/tcp" is also the address 2001:db8::5:443: the port cannot be told apart.
        if (PORT_PROTOCOLS.includes(rest.split('/')[0].toLowerCase())) {
          throw new EgressValidationError('--to', text, 'is an IPv6 address without brackets, so its port cannot be told apart', undefined, `write [<ipv6>]:<port>/${rest}`);
        }
      } else if (colons === 1) {
        [host, portText] = hostPort.split(':');
        if (!/^[0-9]+$/.test(portText)) throw new EgressValidationError('--to', text, usage);
      } else {
        host = hostPort;
      }
    }
    if (!/^[A-Za-z0-9]+(\/[0-9]+)?$/.test(rest)) throw new EgressValidationError('--to', text, usage);
    const [proto, icmpType] = rest.split('/');
    const port = Port.parse(portText !== undefined ? `${proto}/${portText}` : icmpType !== undefined ? `${proto}/${icmpType}` : proto);
    const destination = { protocol: port.protocol!.number, port: port.fromPort ?? port.icmpType };
    if (/^[0-9.]+$/.test(host) || host.includes(':')) {
      const cidr = Cidr.parse(host);
      if (cidr.prefixLength !== (cidr.family === 'IPv4' ? 32 : 128)) throw new EgressValidationError('--to', text, 'must name one address');
      CanReach.checkIcmpFamily('--to', text, port.protocol!, cidr);
      return { ip: cidr.networkAddress, ...destination };
    }
    const domain = host.toLowerCase().replace(/\.$/, '');
    if (!DOMAIN.test(domain) || !domain.includes('.')) throw new EgressValidationError('--to', text, `names "${host}", which is neither an IP address nor a domain name`);
    return { domain, ...destination };
  }

  /** Evaluates a query against a model. */
  public static evaluate(doc: EgressModelDocument, query: CanReachQuery): CanReachAnswer {
    let answer = CanReach.decide(doc, query);
    const zone = answer.zone === undefined ? undefined : doc.zones.find(z => z.name === answer.zone);
    if (zone?.mesh) answer = meshLayers(zone, query, answer, CanReach.matchingRules(doc, zone, query));
    if (!zone?.staged) return answer;
    return { ...answer, staged: true, reason: `zone "${zone.name}" is staged (not enforced yet; Calico reports this verdict in its flow logs): ${answer.reason}` };
  }

  private static decide(doc: EgressModelDocument, query: CanReachQuery): CanReachAnswer {
    validateDnsLabel('namespace', query.namespace);
    if ((query.ip === undefined) === (query.domain === undefined)) {
      throw new EgressValidationError('destination', query.ip ?? query.domain ?? '', 'must be exactly one of an IP address and a domain name');
    }
    if (query.ip !== undefined) CanReach.checkIcmpFamily('protocol', String(query.protocol), Protocol.of(query.protocol), Cidr.parse(query.ip));
    const zone = byPrecedence(doc.zones.filter(z => CanReach.selects(z, query)))[0];
    if (!zone) {
      return { allowed: true, rule: 'not-in-any-zone', reason: `no zone selects pods of namespace "${query.namespace}" with these labels; Kubernetes allows all egress by default` };
    }
    const backend = zone.backend;
    const what = `${query.ip ?? query.domain}${query.port !== undefined ? ` port ${query.port}` : ''} (${Protocol.of(query.protocol).name})`;
    const inside = inClusterAnswer(doc, zone, query);
    if (inside) return inside;
    const target = query.ip !== undefined ? Cidr.parse(query.ip) : undefined;
    const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
    let best: { rule: EgressRuleModel; hit: RuleHit } | undefined;
    for (const rule of zone.rules) {
      const hit = CanReach.matchRule(rule, sets, backend, target, query);
      if (hit && (!best || hit.specificity > best.hit.specificity)) best = { rule, hit };
    }
    if (best) {
      const { rule, hit } = best;
      return {
        allowed: true,
        zone: zone.name,
        backend,
        rule: rule.name,
        reason: `allowed by rule "${rule.name}" of zone "${zone.name}" (${hit.set.name} ${hit.match}${rule.description ? `: ${rule.description}` : ''})`,
        destinationSet: hit.set.name,
        descriptions: hit.descriptions,
      };
    }
    const lookup = target ? CanReach.afterLookup(zone, sets, query) : undefined;
    if (lookup) {
      // Through a gateway the address is still the source node's decision; the gateway only gives it its egress IPs.
      const exit = ZoneSources.forDestination(doc, zone, query.ip!, lookup.rule);
      const then = exit.mode === EgressExitMode.GATEWAY ? `; it then leaves via ${exit.description}` : '';
      return {
        allowed: false,
        zone: zone.name,
        backend,
        rule: lookup.rule.name,
        reason: `${what} is allowed only after a lookup of ${lookup.domains.join(', ')} by a pod of zone "${zone.name}" whose answer holds it (rule "${lookup.rule.name}"); no address rule allows it${then}`,
      };
    }
    return {
      allowed: false,
      zone: zone.name,
      backend,
      rule: 'default-deny-external',
      reason: `no rule of zone "${zone.name}" allows ${what}: ${DENIED[backend] ?? DENIED.calico}`,
    };
  }

  /** The first domain rule on the query's port: an address is allowed by it only when a lookup of one of its names returned it. */
  private static afterLookup(zone: EgressZoneModel, sets: Map<string, DestinationSetModel>, q: CanReachQuery):
  { rule: EgressRuleModel; domains: string[] } | undefined {
    for (const rule of zone.rules) {
      if (rule.ports.length > 0 && !rule.ports.some(p => Port.fromModel(p).matches(q.protocol, q.port))) continue;
      const domains = rule.destinationSets.flatMap(n => sets.get(n)?.domains ?? []);
      if (domains.length > 0) return { rule, domains: [...new Set(domains)].sort() };
    }
    return undefined;
  }

  /** Every rule of the zone whose addresses (or names) and ports match the question, most specific first. */
  private static matchingRules(doc: EgressModelDocument, zone: EgressZoneModel, query: CanReachQuery): EgressRuleModel[] {
    if (inClusterAnswer(doc, zone, query)) return [];
    const target = query.ip !== undefined ? Cidr.parse(query.ip) : undefined;
    const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
    return zone.rules.map(rule => ({ rule, hit: CanReach.matchRule(rule, sets, zone.backend, target, query) }))
      .filter(x => x.hit).sort((a, b) => b.hit!.specificity - a.hit!.specificity).map(x => x.rule);
  }

  /** ICMP is IPv4's, ICMPv6 IPv6's: a type of one is no question about an address of the other (no backend's rule matches it). */
  private static checkIcmpFamily(field: string, value: string, protocol: Protocol, address: Cidr): void {
    const family = address.family === 'IPv4' ? 4 : 6;
    if (!protocol.isIcmp || protocol.ipVersion === family) return;
    throw new EgressValidationError(field, value, `asks about ${protocol.name}, which is IPv${protocol.ipVersion} only, for the IPv${family} address ${address.networkAddress}`, undefined,
      family === 6 ? 'ask about icmpv6 for an IPv6 address (echo request is ICMPv6 type 128, not 8)' : 'ask about icmp for an IPv4 address (echo request is ICMP type 8, not 128)');
  }

  private static selects(zone: EgressZoneModel, q: CanReachQuery): boolean {
    return zoneSelects(zone, q.namespace, q.namespaceLabels ?? {}, q.podLabels ?? {});
  }

  private static matchRule(rule: EgressRuleModel, sets: Map<string, DestinationSetModel>, backend: string, target: Cidr | undefined,
    q: CanReachQuery): RuleHit | undefined {
    if (rule.ports.length > 0 && !rule.ports.some(p => Port.fromModel(p).matches(q.protocol, q.port))) return undefined;
    let best: RuleHit | undefined;
    for (const name of rule.destinationSets) {
      const set = sets.get(name);
      if (!set) continue;
      if (target) {
        for (const c of set.cidrs) {
          if (c.ipVersion !== (target.family === 'IPv4' ? 4 : 6) || !Cidr.parse(c.cidr).contains(target)) continue;
          const specificity = Cidr.parse(c.cidr).prefixLength;
          if (!best || specificity > best.specificity) best = { set, match: c.cidr, descriptions: c.descriptions, specificity };
        }
      } else {
        const domain = set.domains.find(d => domainMatches(d, q.domain!, backend));
        // An exact name is more specific than any wildcard.
        if (domain && (!best || !domain.includes('*'))) best = { set, match: domain, descriptions: [], specificity: domain.includes('*') ? 0 : 1 };
      }
    }
    return best;
  }

  private constructor() {}
}

interface RuleHit {
  readonly set: DestinationSetModel;
  readonly match: string;
  readonly descriptions: string[];
  readonly specificity: number;
}

/** Why external traffic no rule allows is denied, per backend. */
const DENIED: { [backend: string]: string } = {
  'calico': 'denied by the zone\'s deny of external traffic, before any later policy',
  'calico-enterprise': 'denied by the zone\'s deny of external traffic, before any later policy',
  'cilium': 'denied by the zone\'s egressDeny of the world (or, with domain names, by default deny unless another policy allows it)',
  'kubernetes': 'denied by the NetworkPolicy default deny, unless another NetworkPolicy selecting the pod allows it (NetworkPolicies are additive)',
  'cluster-network-policy': 'denied by the zone\'s final Deny in the Admin tier, before any NetworkPolicy',
};

/** Whether a rule's domain matches a name, with the backend's wildcard: Cilium's `*` stays within one label. */
function domainMatches(pattern: string, name: string, backend: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (!p.includes('*')) return p === name;
  const label = backend === 'cilium' ? '[-a-z0-9_]*' : '[-a-z0-9_.]*';
  return new RegExp(`^${p.split('*').map(x => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join(label)}$`).test(name);
}
