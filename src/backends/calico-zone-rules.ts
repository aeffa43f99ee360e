import { agentDomainDestinations } from './calico-domain-rules';
import { groupByProtocol, portsKey } from './calico-port-groups';
import { overlappingClusterRanges } from './zone-destinations';
import { CalicoAction, CalicoEntityRule, CalicoIcmpFields, CalicoPort, CalicoProtocol, CalicoRule } from '../calico';
import { BoundedMemo, oncePer } from '../model/bounded-memo';
import { DestinationSetModel, DnsModel, EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { InClusterTraffic, inClusterOf, inClusterRanges } from '../model/in-cluster-traffic';
import { Selector } from '../model/selector';
import { CALICO_NAMESPACE_NAME_LABEL, DESTINATION_SET_LABEL, ruleAnnotations } from '../model/vocabulary';

// The egress rules of one zone's Calico policy, in their order (see CalicoRenderer). A file of its own: the
// renderer decides which API objects there are; this decides which traffic each rule matches.

/**
 * One rule's own (inline) addresses go straight into its Calico rule (`nets`) up to this many prefixes: a
 * NetworkSet object per rule would triple the objects of a large estate for nothing shared. Longer lists, and
 * every shared DestinationSet, become network sets.
 */
export const INLINE_NETS_MAX = 32;

// Zones mostly share one DNS model (the cluster's) and every zone shares the document's cluster ranges:
// these rule lists are built once per model object, not once per zone (the renderer seals them, so each
// is checked and rendered once).
const DNS_RULES = new WeakMap<DnsModel, CalicoRule[]>();
const IN_CLUSTER_RULES = {
  [InClusterTraffic.ALLOW]: new WeakMap<EgressModelDocument, CalicoRule[]>(),
  [InClusterTraffic.PASS]: new WeakMap<EgressModelDocument, CalicoRule[]>(),
  [InClusterTraffic.DENY]: new WeakMap<EgressModelDocument, CalicoRule[]>(),
};
const IN_CLUSTER_ACTIONS = {
  [InClusterTraffic.ALLOW]: CalicoAction.ALLOW,
  [InClusterTraffic.PASS]: CalicoAction.PASS,
  [InClusterTraffic.DENY]: CalicoAction.DENY,
};
const API_SERVER_RULES = new WeakMap<EgressModelDocument, CalicoRule[]>();
const DENY_RULES = new WeakMap<EgressModelDocument, CalicoRule[]>();

/** 1. DNS to the cluster DNS pods and the extra DNS addresses. */
export function dnsRules(dns: DnsModel): CalicoRule[] {
  return oncePer(DNS_RULES, dns, buildDnsRules);
}

/** 2. The API server, at its addresses and port after kube-proxy's translation (zones with allowApiServer). */
export function apiServerRules(doc: EgressModelDocument): CalicoRule[] {
  return oncePer(API_SERVER_RULES, doc, buildApiServerRules);
}

/**
 * 3. In-cluster destinations (pods, cluster ranges, node ranges), by the zone's choice: Allow, Deny, or Pass to
 * the next tier. A zone in the default tier that passes has no such rule: no tier follows it, and `Pass` there
 * would skip the default tier's own NetworkPolicies, so its in-cluster traffic falls through to them instead.
 */
export function inClusterRules(zone: EgressZoneModel, doc: EgressModelDocument): CalicoRule[] {
  const choice = inClusterOf(zone);
  if (choice === InClusterTraffic.PASS && zone.tier === 'default') return [];
  return oncePer(IN_CLUSTER_RULES[choice], doc, d => buildInClusterRules(d, IN_CLUSTER_ACTIONS[choice]));
}

/** 5. Deny everything external (everything, when no cluster ranges are declared). */
export function denyExternalRules(doc: EgressModelDocument): CalicoRule[] {
  return oncePer(DENY_RULES, doc, buildDenyExternalRules);
}

/** How one renderer renders allow rules: which sets match traffic, and its memo of rules shared between zones. */
export interface AllowRuleContext {
  /** Whether a rule selecting this set can match any traffic. */
  readonly matchesTraffic: (set: DestinationSetModel) => boolean;
  /** Per model document: rendered rules of rules that select only shared sets, by what they render from. */
  readonly sharedRules: WeakMap<EgressModelDocument, Map<string, CalicoRule[]>>;
  /** Whether domain names open the rule's ports to every external address, for the node agent to narrow. */
  readonly agentDomains?: () => boolean;
}

function buildDnsRules(dns: DnsModel): CalicoRule[] {
  if (!dns.enabled) return [];
  const rules: CalicoRule[] = [];
  for (const { protocol, ipVersion, ports, icmp } of groupByProtocol(dns.ports)) {
    rules.push({
      action: CalicoAction.ALLOW,
      protocol,
      ipVersion,
      icmp,
      destination: {
        namespaceSelector: Selector.labelEquals(CALICO_NAMESPACE_NAME_LABEL, dns.namespace).toString(),
        selector: dns.podSelector,
        ports,
      },
      metadata: { annotations: ruleAnnotations('dns') },
    });
    for (const [family, nets] of byFamily(dns.cidrs)) {
      // ICMP belongs to one family: the other family's servers get no rule for it.
      if (ipVersion !== undefined && ipVersion !== family) continue;
      rules.push({ action: CalicoAction.ALLOW, protocol, ipVersion: family, icmp, destination: { nets, ports }, metadata: { annotations: ruleAnnotations('dns') } });
    }
  }
  return rules;
}

function buildInClusterRules(doc: EgressModelDocument, action: CalicoAction): CalicoRule[] {
  const meta = { annotations: ruleAnnotations('in-cluster') };
  // Any workload in any namespace — but not our own destination sets, which selectors would match too.
  const rules: CalicoRule[] = [{
    action,
    destination: { namespaceSelector: 'all()', selector: `!has(${DESTINATION_SET_LABEL})` },
    metadata: meta,
  }];
  for (const [ipVersion, nets] of byFamily(inClusterRanges(doc))) {
    rules.push({ action, ipVersion, destination: { nets }, metadata: meta });
  }
  return rules;
}

function buildApiServerRules(doc: EgressModelDocument): CalicoRule[] {
  if (!doc.apiServer) return [];
  const meta = { annotations: ruleAnnotations('api-server') };
  const ports = [CalicoPort.of(doc.apiServer.port)];
  return [...byFamily(doc.apiServer.cidrs)].map(([ipVersion, nets]) => ({
    action: CalicoAction.ALLOW, protocol: CalicoProtocol.TCP, ipVersion, destination: { nets, ports }, metadata: meta,
  }));
}

/** 4. Each rule's destination sets on its ports (one Calico rule per protocol and IP family). */
export function allowRules(zone: EgressZoneModel, doc: EgressModelDocument, ctx: AllowRuleContext): CalicoRule[] {
  const sets = setsByName(doc);
  const shared = oncePer(ctx.sharedRules, doc, () => new Map<string, CalicoRule[]>());
  const inCluster = inClusterRanges(doc);
  const rules: CalicoRule[] = [];
  for (const rule of zone.rules) {
    const used = rule.destinationSets.map(n => sets.get(n)!).filter(s => s !== undefined);
    const viaAgent = ctx.agentDomains?.() === true && used.some(s => s.domains.length > 0) ? agentDomainDestinations(doc, zone, rule) : [];
    // A rule that only selects shared sets renders the same in every zone that has it (fleets give every
    // team the same catalog rules): built once, and the policies share the (immutable) rule objects.
    const key = used.some(rendersInline) ? undefined
      : `${rule.name}\u0000${rule.description ?? ''}\u0000${rule.destinationSets.join(',')}\u0000${portsKey(rule.ports)}\u0000${viaAgent.join(',')}`;
    const known = key === undefined ? undefined : shared.get(key);
    if (known) {
      rules.push(...known);
      continue;
    }
    const first = rules.length;
    const names = used.filter(s => !rendersInline(s) && ctx.matchesTraffic(s)).map(s => s.name);
    // Inline addresses: one rule per family (Calico rules hold one IP family).
    const inlineNets = byFamily([...used.filter(rendersInline).flatMap(s => s.cidrs.map(c => c.cidr)), ...viaAgent]);
    const destinations: { destination: CalicoEntityRule; ipVersion?: number }[] = [];
    if (names.length > 0) {
      const namespaced = names.map(n => sets.get(n)!).find(s => s.namespace);
      destinations.push({
        destination: entityRule({
          selector: names.length === 1 ? setSelector(names[0]) : Selector.labelIn(DESTINATION_SET_LABEL, names).toString(),
          namespaceSelector: namespaced ? Selector.labelEquals(CALICO_NAMESPACE_NAME_LABEL, namespaced.namespace!).toString() : undefined,
        }),
      });
    }
    for (const [ipVersion, nets] of inlineNets) destinations.push({ destination: entityRule({ nets }), ipVersion });
    if (destinations.length === 0) continue;
    // A rule never opens in-cluster ranges, node ranges included (only the zone's inCluster does): leave out those it overlaps.
    const ruleCidrs = [...used.flatMap(s => s.cidrs.map(c => c.cidr)), ...viaAgent];
    const clusterInside = overlappingClusterRanges(ruleCidrs, inCluster);
    if (clusterInside.length > 0) destinations.splice(0, destinations.length, ...withoutCluster(destinations, clusterInside));
    const annotations = ruleAnnotations(rule.name, rule.description);
    for (const { destination, ipVersion: family } of destinations) {
      if (rule.ports.length === 0) {
        rules.push(allowRule(undefined, family, undefined, destination, annotations));
        continue;
      }
      for (const { protocol, ipVersion, ports, icmp } of groupByProtocol(rule.ports)) {
        // ICMP belongs to one family: skip the other family's inline addresses rather than contradict ipVersion.
        if (ipVersion !== undefined && family !== undefined && ipVersion !== family) continue;
        rules.push(allowRule(protocol, ipVersion ?? family, icmp, { ...destination, ports }, annotations));
      }
    }
    if (key !== undefined) shared.set(key, rules.slice(first));
  }
  return rules;
}

function buildDenyExternalRules(doc: EgressModelDocument): CalicoRule[] {
  const meta = { annotations: ruleAnnotations('default-deny-external') };
  if (doc.clusterCidrs.length === 0) return [{ action: CalicoAction.DENY, metadata: meta }];
  // in-cluster destinations, nodes included, are the zone's inCluster choice (or later policies'), not this deny
  const families = byFamily(inClusterRanges(doc));
  const rules: CalicoRule[] = [];
  for (const ipVersion of [4, 6]) {
    const nets = families.get(ipVersion);
    rules.push(nets
      ? { action: CalicoAction.DENY, ipVersion, destination: { notNets: nets }, metadata: meta }
      : { action: CalicoAction.DENY, ipVersion, metadata: meta });
  }
  return rules;
}

// An estate's allow rules (170,000 at 5,000 zones) are built in one shape each, rule and entity rule: every field,
// undefined where unset. The rule checks and the renderer read every field of each, and one shape keeps those
// reads fast (V8's inline caches); the output is the same, since unset fields are not written.
function entityRule(e: Pick<CalicoEntityRule, 'nets' | 'selector' | 'namespaceSelector'>): CalicoEntityRule {
  return {
    nets: e.nets,
    notNets: undefined,
    selector: e.selector,
    notSelector: undefined,
    namespaceSelector: e.namespaceSelector,
    ports: undefined,
    notPorts: undefined,
    serviceAccounts: undefined,
    services: undefined,
  };
}

function allowRule(protocol: CalicoProtocol | undefined, ipVersion: number | undefined, icmp: CalicoIcmpFields | undefined,
  destination: CalicoEntityRule, annotations: { [key: string]: string }): CalicoRule {
  return {
    action: CalicoAction.ALLOW,
    protocol,
    notProtocol: undefined,
    icmp,
    notICMP: undefined,
    ipVersion,
    source: undefined,
    destination,
    http: undefined,
    metadata: { annotations },
  };
}

// The selector of one destination set, printed once per set name (rules of many zones select the same set).
const SET_SELECTORS = new BoundedMemo<string, string>(50_000);
function setSelector(name: string): string {
  return SET_SELECTORS.get(name) ?? SET_SELECTORS.set(name, Selector.labelEquals(DESTINATION_SET_LABEL, name).toString());
}

// One name -> set map per document, not one per zone (that was O(zones x sets)).
const SETS_BY_NAME = new WeakMap<EgressModelDocument, Map<string, DestinationSetModel>>();
function setsByName(doc: EgressModelDocument): Map<string, DestinationSetModel> {
  return oncePer(SETS_BY_NAME, doc, d => new Map(d.destinationSets.map(s => [s.name, s])));
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

export function byFamily(cidrs: string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const c of cidrs) {
    const v = c.includes(':') ? 6 : 4;
    out.set(v, [...(out.get(v) ?? []), c]);
  }
  return out;
}

/** Whether a set's addresses are written into the rules that use it instead of a network set object. */
export function rendersInline(set: DestinationSetModel): boolean {
  return set.inline === true && set.domains.length === 0 && set.namespace === undefined && set.cidrs.length <= INLINE_NETS_MAX;
}
