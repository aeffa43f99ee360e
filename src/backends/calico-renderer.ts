import { Construct } from 'constructs';
import { IBackendRenderer, IRenderSelection } from './backend-renderer';
import { renderCalicoPools } from './calico-pools';
import { namespaceSelectorOf, ownedSelector } from './calico-zone-selectors';
import {
  CalicoAction, CalicoEntityRule, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkSet,
  CalicoNetworkSet, CalicoPolicyType, CalicoPort, CalicoProtocol, CalicoRule,
} from '../calico';
import { overlappingClusterRanges } from './zone-destinations';
import { sealRules } from '../calico/sealed-rules';
import { BoundedMemo } from '../model/bounded-memo';
import { DestinationSetModel, DnsModel, EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { Port, PortModel } from '../model/port';
import { Selector } from '../model/selector';
import { CALICO_NAMESPACE_NAME_LABEL, DESTINATION_SET_LABEL, ZONE_LABEL, descriptionAnnotations, ruleAnnotations } from '../model/vocabulary';

/** Label every destination set carries, so policies select sets by name and nothing else by accident. */
export { DESTINATION_SET_LABEL, ZONE_LABEL };
/** Label on every object the library emits for a zone. */
/**
 * One rule's own (inline) addresses go straight into its Calico rule (`nets`) up to this many prefixes: a
 * NetworkSet object per rule would triple the objects of a large estate for nothing shared. Longer lists, and
 * every shared DestinationSet, become network sets.
 */
export const INLINE_NETS_MAX = 32;

/**
 * Open-source Calico (projectcalico.org/v3).
 *
 * Per zone, one GlobalNetworkPolicy (types: [Egress]) selecting the zone's pods in its namespaces:
 *   1. allow DNS to the cluster DNS pods (and extra DNS addresses),
 *   2. allow in-cluster workloads (when the zone asks for it),
 *   3. allow each rule's destination sets on its ports (one Calico rule per protocol),
 *   4. deny everything else that is external.
 * In-cluster traffic that the zone does not allow is not denied by rule 4 when the cluster ranges are
 * declared: it falls through to later policies of the tier (e.g. the app teams' NetworkPolicies at order
 * 1000) and ends in Calico's end-of-tier deny if none allows it. Without declared cluster ranges rule 4
 * denies everything, which is the safe reading of "default-deny egress".
 * Destination sets become GlobalNetworkSets (or NetworkSets) selected by label, so a list is written once.
 * NAT pools become IPPools; "no NAT to these ranges" becomes disabled IPPools (Calico never NATs towards
 * any pool's range, enabled or not — the technique Calico's egress guide describes).
 */
export class CalicoRenderer implements IBackendRenderer {
  public readonly name: string = 'calico';
  /** Per model document: rendered rules of rules that select only shared sets, by what they render from. */
  private readonly sharedRules = new WeakMap<EgressModelDocument, Map<string, CalicoRule[]>>();

  public unsupported(selection: IRenderSelection): string[] {
    const problems: string[] = [];
    for (const set of selection.destinationSets) {
      if (set.domains.length > 0) {
        const declared = declaredAs(set, selection.zones);
        problems.push(problem(`backend "${this.name}" cannot match domain names (${declared.what}: ${set.domains.join(', ')})`, declared.paths,
          'use Backend.CALICO_ENTERPRISE or Backend.CILIUM, or list addresses'));
      }
    }
    for (const zone of selection.zones) {
      for (const name of new Set([zone.exit.gateway, ...zone.rules.map(r => r.gateway)])) {
        const gw = selection.document.gateways.find(g => g.name === name);
        if (gw?.implementation === 'calico-enterprise') {
          problems.push(problem(`backend "${this.name}" cannot express Calico Enterprise gateways (gateway "${gw.name}", used by zone "${zone.name}")`, zone.path, 'use Backend.CALICO_ENTERPRISE'));
        }
      }
    }
    return problems;
  }

  public render(selection: IRenderSelection): void {
    for (const set of selection.destinationSets) {
      if (!rendersInline(set)) this.renderSet(selection.scopeFor(set.path), set);
    }
    for (const zone of selection.zones) this.renderZone(selection.scopeFor(zone.path), zone, selection.document);
    renderCalicoPools(selection);
  }

  protected renderSet(scope: Construct, set: DestinationSetModel): void {
    const metadata = {
      name: set.name,
      labels: { ...set.labels, [DESTINATION_SET_LABEL]: set.name },
      annotations: descriptionAnnotations(set.description),
    };
    const nets = set.cidrs.map(c => c.cidr);
    if (set.namespace) {
      new CalicoNetworkSet(scope, 'CalicoNetworkSet', { metadata: { ...metadata, namespace: set.namespace }, spec: { nets } });
    } else {
      new CalicoGlobalNetworkSet(scope, 'CalicoGlobalNetworkSet', { metadata, spec: { nets } });
    }
  }

  /** Whether a rule selecting this set can match any traffic (here: it has addresses; Calico Enterprise adds domains). */
  protected matchesTraffic(set: DestinationSetModel): boolean {
    return set.cidrs.length > 0;
  }

  protected renderZone(scope: Construct, zone: EgressZoneModel, doc: EgressModelDocument): CalicoGlobalNetworkPolicy {
    // Sealed: many of these rule objects are shared by every zone, so each is checked and rendered once.
    const egress: CalicoRule[] = sealRules([
      ...this.dnsRules(zone.dns),
      ...(zone.allowInCluster ? this.inClusterRules(doc) : []),
      ...this.allowRules(zone, doc),
      ...this.denyExternalRules(doc),
    ]);
    const name = zone.tier === 'default' ? `egress-${zone.name}` : `${zone.tier}.egress-${zone.name}`;
    return new CalicoGlobalNetworkPolicy(scope, 'CalicoGlobalNetworkPolicy', {
      metadata: {
        name,
        labels: { [ZONE_LABEL]: zone.name },
        annotations: descriptionAnnotations(zone.description),
      },
      spec: {
        tier: zone.tier === 'default' ? undefined : zone.tier,
        order: zone.order,
        selector: ownedSelector(zone, doc),
        namespaceSelector: namespaceSelectorOf(zone),
        types: [CalicoPolicyType.EGRESS],
        egress,
      },
    });
  }

  // Zones mostly share one DNS model (the cluster's) and every zone shares the document's cluster ranges:
  // these rule lists are built once per model object, not once per zone. Rendering copies them, so the
  // policies do not share objects.
  private dnsRules(dns: DnsModel): CalicoRule[] {
    let rules = DNS_RULES.get(dns);
    if (!rules) {
      rules = this.buildDnsRules(dns);
      DNS_RULES.set(dns, rules);
    }
    return rules;
  }

  private buildDnsRules(dns: DnsModel): CalicoRule[] {
    if (!dns.enabled) return [];
    const rules: CalicoRule[] = [];
    for (const { protocol, ports } of groupByProtocol(dns.ports)) {
      rules.push({
        action: CalicoAction.ALLOW,
        protocol,
        destination: {
          namespaceSelector: Selector.labelEquals(CALICO_NAMESPACE_NAME_LABEL, dns.namespace).toString(),
          selector: dns.podSelector,
          ports,
        },
        metadata: { annotations: ruleAnnotations('dns') },
      });
      for (const [ipVersion, nets] of byFamily(dns.cidrs)) {
        rules.push({ action: CalicoAction.ALLOW, protocol, ipVersion, destination: { nets, ports }, metadata: { annotations: ruleAnnotations('dns') } });
      }
    }
    return rules;
  }

  private inClusterRules(doc: EgressModelDocument): CalicoRule[] {
    let rules = IN_CLUSTER_RULES.get(doc);
    if (!rules) {
      rules = this.buildInClusterRules(doc);
      IN_CLUSTER_RULES.set(doc, rules);
    }
    return rules;
  }

  private buildInClusterRules(doc: EgressModelDocument): CalicoRule[] {
    const meta = { annotations: ruleAnnotations('in-cluster') };
    // Any workload in any namespace — but not our own destination sets, which selectors would match too.
    const rules: CalicoRule[] = [{
      action: CalicoAction.ALLOW,
      destination: { namespaceSelector: 'all()', selector: `!has(${DESTINATION_SET_LABEL})` },
      metadata: meta,
    }];
    for (const [ipVersion, nets] of byFamily(doc.clusterCidrs)) {
      rules.push({ action: CalicoAction.ALLOW, ipVersion, destination: { nets }, metadata: meta });
    }
    return rules;
  }

  private allowRules(zone: EgressZoneModel, doc: EgressModelDocument): CalicoRule[] {
    const sets = setsByName(doc);
    let shared = this.sharedRules.get(doc);
    if (!shared) {
      shared = new Map();
      this.sharedRules.set(doc, shared);
    }
    const rules: CalicoRule[] = [];
    for (const rule of zone.rules) {
      const used = rule.destinationSets.map(n => sets.get(n)!).filter(s => s !== undefined);
      // A rule that only selects shared sets renders the same in every zone that has it (fleets give every
      // team the same catalog rules): built once, and the policies share the (immutable) rule objects.
      const key = used.some(rendersInline) ? undefined
        : `${rule.name}\u0000${rule.description ?? ''}\u0000${rule.destinationSets.join(',')}\u0000${portsKey(rule.ports)}`;
      const known = key === undefined ? undefined : shared.get(key);
      if (known) {
        rules.push(...known);
        continue;
      }
      const first = rules.length;
      const names = used.filter(s => !rendersInline(s) && this.matchesTraffic(s)).map(s => s.name);
      // Inline addresses: one rule per family (Calico rules hold one IP family).
      const inlineNets = byFamily(used.filter(rendersInline).flatMap(s => s.cidrs.map(c => c.cidr)));
      const destinations: { destination: CalicoEntityRule; ipVersion?: number }[] = [];
      if (names.length > 0) {
        const namespaced = names.map(n => sets.get(n)!).find(s => s.namespace);
        destinations.push({
          destination: {
            selector: names.length === 1 ? setSelector(names[0]) : Selector.labelIn(DESTINATION_SET_LABEL, names).toString(),
            namespaceSelector: namespaced ? Selector.labelEquals(CALICO_NAMESPACE_NAME_LABEL, namespaced.namespace!).toString() : undefined,
          },
        });
      }
      for (const [ipVersion, nets] of inlineNets) destinations.push({ destination: { nets }, ipVersion });
      if (destinations.length === 0) continue;
      // A rule never opens cluster ranges (README: only allowInCluster does): leave out those it overlaps.
      const ruleCidrs = used.flatMap(s => s.cidrs.map(c => c.cidr));
      const clusterInside = overlappingClusterRanges(ruleCidrs, doc.clusterCidrs);
      if (clusterInside.length > 0) destinations.splice(0, destinations.length, ...withoutCluster(destinations, clusterInside));
      const annotations = ruleAnnotations(rule.name, rule.description);
      for (const { destination, ipVersion: family } of destinations) {
        if (rule.ports.length === 0) {
          rules.push({ action: CalicoAction.ALLOW, ipVersion: family, destination, metadata: { annotations } });
          continue;
        }
        for (const { protocol, ipVersion, ports, icmp } of groupByProtocol(rule.ports)) {
          // ICMP belongs to one family: skip the other family's inline addresses rather than contradict ipVersion.
          if (ipVersion !== undefined && family !== undefined && ipVersion !== family) continue;
          rules.push({
            action: CalicoAction.ALLOW,
            protocol,
            ipVersion: ipVersion ?? family,
            icmp,
            destination: { ...destination, ports },
            metadata: { annotations },
          });
        }
      }
      if (key !== undefined) shared.set(key, rules.slice(first));
    }
    return rules;
  }

  private denyExternalRules(doc: EgressModelDocument): CalicoRule[] {
    let rules = DENY_RULES.get(doc);
    if (!rules) {
      rules = this.buildDenyExternalRules(doc);
      DENY_RULES.set(doc, rules);
    }
    return rules;
  }

  private buildDenyExternalRules(doc: EgressModelDocument): CalicoRule[] {
    const meta = { annotations: ruleAnnotations('default-deny-external') };
    if (doc.clusterCidrs.length === 0) return [{ action: CalicoAction.DENY, metadata: meta }];
    const families = byFamily(doc.clusterCidrs);
    const rules: CalicoRule[] = [];
    for (const ipVersion of [4, 6]) {
      const nets = families.get(ipVersion);
      rules.push(nets
        ? { action: CalicoAction.DENY, ipVersion, destination: { notNets: nets }, metadata: meta }
        : { action: CalicoAction.DENY, ipVersion, metadata: meta });
    }
    return rules;
  }

}

const DNS_RULES = new WeakMap<DnsModel, CalicoRule[]>();
const IN_CLUSTER_RULES = new WeakMap<EgressModelDocument, CalicoRule[]>();
const DENY_RULES = new WeakMap<EgressModelDocument, CalicoRule[]>();

// The selector of one destination set, printed once per set name (rules of many zones select the same set).
const SET_SELECTORS = new BoundedMemo<string, string>(50_000);
function setSelector(name: string): string {
  return SET_SELECTORS.get(name) ?? SET_SELECTORS.set(name, Selector.labelEquals(DESTINATION_SET_LABEL, name).toString());
}

// One name -> set map per document, not one per zone (that was O(zones x sets)).
const SETS_BY_NAME = new WeakMap<EgressModelDocument, Map<string, DestinationSetModel>>();
function setsByName(doc: EgressModelDocument): Map<string, DestinationSetModel> {
  let sets = SETS_BY_NAME.get(doc);
  if (!sets) {
    sets = new Map(doc.destinationSets.map(s => [s.name, s]));
    SETS_BY_NAME.set(doc, sets);
  }
  return sets;
}

/**
 * A pod several zones select belongs to the first by order and name (docs/backends.md): Calico already
 * evaluates that zone's policy first, and this selector keeps the later zones' policies off its pods, so
 * traffic the first zone leaves to other policies (in-cluster) is not decided by another zone.
 * Zones that choose namespaces by label are left out by their named namespaces only (synth warns).
 */
/**
 * A destination set as the user declared it: a shared DestinationSet by its name, a rule's own addresses
 * by the rule (and zone) they were written in.
 */
export function declaredAs(set: DestinationSetModel, zones: EgressZoneModel[]): { what: string; paths: string[] } {
  if (!set.inline) return { what: `destination set "${set.name}"`, paths: [set.path] };
  const rules = zones.flatMap(z => z.rules.filter(r => r.destinationSets.includes(set.name)).map(r => ({ zone: z.name, rule: r })));
  if (rules.length === 0) return { what: `destination set "${set.name}"`, paths: [set.path] };
  return {
    what: rules.map(r => `rule "${r.rule.name}" of zone "${r.zone}"`).join(', '),
    paths: [...new Set(rules.map(r => r.rule.path))],
  };
}

/** Destinations with the cluster ranges they overlap as notNets, one IP family per Calico rule. */
function withoutCluster(destinations: { destination: CalicoEntityRule; ipVersion?: number }[], cluster: string[]) {
  const families = byFamily(cluster);
  const out: { destination: CalicoEntityRule; ipVersion?: number }[] = [];
  for (const d of destinations) {
    for (const v of d.ipVersion !== undefined ? [d.ipVersion] : [4, 6]) {
      const notNets = families.get(v);
      out.push({ destination: notNets ? { ...d.destination, notNets } : d.destination, ipVersion: v });
    }
  }
  return out;
}

interface ProtocolGroup {
  readonly protocol: CalicoProtocol;
  /** 4 or 6 for ICMP/ICMPv6 (Calico requires the matching ipVersion), else undefined. */
  readonly ipVersion?: number;
  /** Ports, or undefined for every port of the protocol. */
  readonly ports?: CalicoPort[];
  readonly icmp?: { type?: number; code?: number };
}

// Estates repeat a handful of port lists across thousands of rules: each list is grouped once. The groups
// (and their CalicoPort values) are immutable, so rules share them.
const PORT_GROUPS = new BoundedMemo<string, ProtocolGroup[]>(10_000);

function portsKey(models: PortModel[]): string {
  let key = '';
  for (const m of models) key += `${m.protocol}|${m.fromPort}|${m.toPort}|${m.portName}|${m.icmpType}|${m.icmpCode};`;
  return key;
}

/** Ports grouped per protocol: a Calico rule carries one protocol, and one ICMP type/code at most. */
function groupByProtocol(models: PortModel[]): ProtocolGroup[] {
  const key = portsKey(models);
  return PORT_GROUPS.get(key) ?? PORT_GROUPS.set(key, buildProtocolGroups(models));
}

function buildProtocolGroups(models: PortModel[]): ProtocolGroup[] {
  const out: ProtocolGroup[] = [];
  const byProto = new Map<string, Port[]>();
  for (const m of models) {
    const port = Port.fromModel(m);
    const key = port.protocol!.name;
    byProto.set(key, [...(byProto.get(key) ?? []), port]);
  }
  for (const [name, ports] of byProto) {
    const protocol = CalicoProtocol.parse(name);
    const ipVersion = ports[0].protocol!.ipVersion || undefined;
    if (ports.some(p => p.isWholeProtocol)) {
      out.push({ protocol, ipVersion });
    } else if (ports[0].protocol!.isIcmp) {
      for (const p of ports) out.push({ protocol, ipVersion, icmp: { type: p.icmpType, code: p.icmpCode } });
    } else {
      out.push({
        protocol,
        ports: ports.map(p => p.portName !== undefined ? CalicoPort.named(p.portName)
          : p.fromPort === p.toPort ? CalicoPort.of(p.fromPort!) : CalicoPort.range(p.fromPort!, p.toPort!)),
      });
    }
  }
  return out;
}

function byFamily(cidrs: string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const c of cidrs) {
    const v = c.includes(':') ? 6 : 4;
    out.set(v, [...(out.get(v) ?? []), c]);
  }
  return out;
}

/** Whether a set's addresses are written into the rules that use it instead of a network set object. */
function rendersInline(set: DestinationSetModel): boolean {
  return set.inline === true && set.domains.length === 0 && set.namespace === undefined && set.cidrs.length <= INLINE_NETS_MAX;
}

