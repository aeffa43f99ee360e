import { oncePer } from '../model/bounded-memo';
import { Cidr } from '../model/cidr';
import { CidrAggregator } from '../model/cidr-aggregation';
import { EgressGatewayModel, EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { located, problem, ValidationErrors } from '../model/errors';
import { Port, PortModel } from '../model/port';

/** Backends whose zones the cdk8s-egress data path steers (Cilium renders its own gateway policy). */
export const DATA_PATH_BACKENDS = ['calico', 'calico-enterprise'];

/** One external destination of a zone and the gateway it leaves through (undefined: directly). */
export interface RoutedDestination {
  readonly cidr: string;
  readonly ipVersion: number;
  readonly ports: PortModel[];
  readonly gateway?: string;
  readonly rule: EgressRuleModel;
}

/** A zone the data path steers: its single gateway and every destination with its route. */
export interface SteeredZone {
  readonly zone: EgressZoneModel;
  readonly gateway: EgressGatewayModel;
  readonly destinations: RoutedDestination[];
  /**
   * The zone's domain rules, all through `gateway` (their addresses are known only at the source node, after a
   * lookup: docs/domain-names.md "Through a gateway").
   */
  readonly domainRules: EgressRuleModel[];
}

/** Whether this library's data path runs the gateway (not Calico Enterprise's own). */
export function isDataPathGateway(gw: EgressGatewayModel): boolean {
  return (gw.implementation ?? 'cdk8s-egress') === 'cdk8s-egress';
}

/** The gateway a rule's traffic takes: its own `via`, none when it bypasses, else the zone's. */
export function effectiveGateway(zone: EgressZoneModel, rule: EgressRuleModel): string | undefined {
  if (rule.bypassGateway) return undefined;
  return rule.gateway ?? zone.exit.gateway;
}

/**
 * The zones the data path steers, each with the one gateway it leaves through. Per-destination choice
 * follows Calico Enterprise's EgressGatewayPolicy: a rule's `via` overrides the zone's gateway and
 * `bypassGateway` sends its destinations directly; the node agent applies "no gateway" before steering,
 * so longest-prefix match is resolved here (see {@link noGatewayCidrs}). Problems are collected.
 */
export function steeredZones(doc: EgressModelDocument, errors: ValidationErrors): SteeredZone[] {
  // Three emitters ask (the gateway policies' check and render, the data-path plan): worked out once per document.
  const { zones, problems } = oncePer(STEERED, doc, routeZones);
  for (const p of problems) errors.add(p);
  return zones;
}

const STEERED = new WeakMap<EgressModelDocument, { zones: SteeredZone[]; problems: string[] }>();

function routeZones(doc: EgressModelDocument): { zones: SteeredZone[]; problems: string[] } {
  const errors = new ValidationErrors();
  const gateways = new Map(doc.gateways.map(g => [g.name, g]));
  const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
  const out: SteeredZone[] = [];
  for (const zone of doc.zones) {
    // A staged zone's traffic stays off its gateway: steering it would already change its source address.
    if (!DATA_PATH_BACKENDS.includes(zone.backend) || zone.staged) continue;
    const used = new Map<string, string>(); // gateway -> where it is chosen
    if (zone.exit.gateway) used.set(zone.exit.gateway, zone.path);
    for (const rule of zone.rules) {
      const gw = effectiveGateway(zone, rule);
      if (gw && !used.has(gw)) used.set(gw, rule.path);
    }
    const ours = [...used.keys()].filter(n => gateways.has(n) && isDataPathGateway(gateways.get(n)!));
    if (ours.length === 0) continue;
    if (used.size > 1) {
      const choices = [...used].map(([g, at]) => located(`"${g}"`, at)).join(' and ');
      errors.add(problem(`zone "${zone.name}" leaves through gateways ${choices}; the data path steers a zone through one gateway`, zone.path,
        'split the zone, or send those destinations through the same gateway'));
      continue;
    }
    const gateway = gateways.get(ours[0])!;
    const destinations: RoutedDestination[] = [];
    for (const rule of zone.rules) {
      for (const setName of rule.destinationSets) {
        for (const c of sets.get(setName)?.cidrs ?? []) {
          destinations.push({ cidr: c.cidr, ipVersion: c.ipVersion, ports: rule.ports, gateway: effectiveGateway(zone, rule), rule });
        }
      }
    }
    checkExitsByAddress(zone, destinations, errors);
    const domainRules = zone.rules.filter(r => r.destinationSets.some(n => (sets.get(n)?.domains.length ?? 0) > 0));
    for (const rule of domainRules.filter(r => effectiveGateway(zone, r) !== gateway.name)) {
      // The node steers a zone's traffic by address (everything but noGateway), and a looked-up address is known
      // only at run time: it cannot be a direct (noGateway) range, so it would reach the gateway and be dropped.
      errors.add(problem(`domain names of ${located(`rule "${rule.name}" of zone "${zone.name}"`, rule.path)} would leave directly, but the zone's other traffic `
        + `leaves through gateway "${gateway.name}": the node agent steers by address, and a looked-up address is known only after the lookup`, undefined,
      `let the domain rule go through gateway "${gateway.name}" too (no bypassGateway), or move it to a zone that leaves directly`));
    }
    out.push({ zone, gateway, destinations, domainRules });
  }
  return { zones: out, problems: errors.messages };
}

/**
 * The destinations of one family (IPv4 unless said) of a steered zone that must leave directly. The node agent checks "no gateway"
 * before steering, so this list must hold exactly the addresses whose longest matching prefix is direct
 * (as in Calico Enterprise's EgressGatewayPolicy, and as can-reach decides). Prefixes are laid down from
 * the shortest to the longest, each one's exit overriding the shorter ones' beneath it: a direct /26
 * inside a gateway /25 inside a direct /24 leaves directly. (Merging the direct prefixes first lost
 * such a /26: issue 21.) Prefixes of one length are disjoint or equal, and equal prefixes with two exits
 * are reported by {@link checkExitsByAddress}. Cluster ranges are never steered anyway and are left out.
 */
export function noGatewayCidrs(zone: SteeredZone, clusterCidrs: string[], family: 4 | 6 = 4): string[] {
  const ofFamily = zone.destinations.filter(d => d.ipVersion === family);
  if (!ofFamily.some(d => d.gateway === undefined)) return [];
  const byLength = new Map<number, { direct: string[]; viaGateway: string[] }>();
  for (const d of ofFamily) {
    const length = prefixOf(d.cidr);
    const level = byLength.get(length) ?? { direct: [], viaGateway: [] };
    (d.gateway === undefined ? level.direct : level.viaGateway).push(d.cidr);
    byLength.set(length, level);
  }
  let direct: string[] = [];
  for (const length of [...byLength.keys()].sort((a, b) => a - b)) {
    const level = byLength.get(length)!;
    if (level.direct.length > 0) direct = CidrAggregator.merge([...direct, ...level.direct]);
    if (level.viaGateway.length > 0 && direct.length > 0) direct = CidrAggregator.subtract(direct, level.viaGateway);
  }
  const cluster = clusterCidrs.filter(c => c.includes(':') === (family === 6));
  return cluster.length > 0 ? CidrAggregator.subtract(direct, cluster) : direct;
}

function prefixOf(cidr: string): number {
  return Number(cidr.slice(cidr.indexOf('/') + 1));
}

/**
 * The exit of (address, port) is the exit of the most specific rule allowing it; the data path routes by
 * address only (longest prefix, whatever the port). They agree unless a more specific rule with another
 * exit leaves some port of a broader rule out (or two rules send the same prefix two ways): then the
 * broader rule's declared traffic would take the wrong exit, which synth reports instead.
 */
function checkExitsByAddress(zone: EgressZoneModel, destinations: RoutedDestination[], errors: ValidationErrors): void {
  const reported = new Set<string>();
  // Both families: prefixes of two families never contain each other.
  for (const broad of destinations) {
    for (const narrow of destinations) {
      if (broad === narrow || broad.rule === narrow.rule || (broad.gateway ?? '') === (narrow.gateway ?? '')) continue;
      const [b, n] = [Cidr.parse(broad.cidr), Cidr.parse(narrow.cidr)];
      if (!b.contains(n)) continue;
      const equal = b.prefixLength === n.prefixLength;
      if (!equal && portsCover(narrow.ports, broad.ports)) continue;
      const key = [broad.rule.name, narrow.rule.name].sort().join('\u0000');
      if (reported.has(key)) continue;
      reported.add(key);
      const exit = (d: RoutedDestination) => (d.gateway ? `through gateway "${d.gateway}"` : 'directly');
      const ports = (d: RoutedDestination) => (d.ports.length === 0 ? 'all traffic' : d.ports.map(m => Port.fromModel(m).toString()).join(' '));
      errors.add(problem(`rules "${broad.rule.name}" (${broad.cidr} ${ports(broad)}, ${exit(broad)}) and "${narrow.rule.name}" (${narrow.cidr} ${ports(narrow)}, ${exit(narrow)}) of zone "${zone.name}" `
        + `send ${narrow.cidr} two ways: the data path routes by address, not port, so ${equal ? 'one of them' : `the traffic of "${broad.rule.name}" to ${narrow.cidr}`} would take the other exit`,
      [broad.rule.path, narrow.rule.path], equal ? 'give the two exits different addresses' : `give "${narrow.rule.name}" every port of "${broad.rule.name}" too, or split the addresses so the rules do not overlap`));
    }
  }
}

/** Whether every port of `inner` is one of `outer`'s (an empty list is all traffic). */
function portsCover(outer: PortModel[], inner: PortModel[]): boolean {
  if (outer.length === 0) return true;
  if (inner.length === 0) return false;
  const o = outer.map(m => Port.fromModel(m));
  return inner.every(m => o.some(x => Port.fromModel(m).coveredBy(x)));
}
