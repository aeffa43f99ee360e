import { OBSERVE_VERSION } from './address-observer-config';
import { compileAddressObserver } from './compile-address-observer';
import { compileDomainConfig, usesAgentDomains } from './compile-domains';
import { compileDnsProxy6 } from './compile-domains-ipv6';
import { gatewayDomainRules } from './compile-gateway-domains';
import {
  AllowEntryConfig, DataPathConfig, GatewayConfig, GatewayProbeConfig, NatPoolConfig, ZoneConfig, DATA_PATH_DEFAULTS,
} from './data-path-config';
import { DOMAINS_IPV6_VERSION } from './domain-ipv6-config';
import { GATEWAY_DOMAINS_VERSION } from './gateway-domain-config';
import { noGatewayCidrs, RoutedDestination, steeredZones, SteeredZone, isDataPathGateway } from './gateway-routing';
import { parseDataPathConfig } from './parse-data-path-config';
import { Cidr } from '../model/cidr';
import { CidrAggregator } from '../model/cidr-aggregation';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { located, problem, ValidationErrors } from '../model/errors';
import { Port } from '../model/port';
import { toKubeLabelSelector, UntranslatableSelectorError } from '../model/selector/label-selector-translation';
import { byPrecedence, mayShareWorkloads, precedes } from '../model/zone-precedence';

/** What the data path needs of a gateway beyond the model (ports, timings, the Service the agents watch). */
export interface GatewayDataPathSettings {
  readonly name: string;
  readonly path: string;
  readonly serviceNamespace: string;
  readonly serviceName: string;
  readonly vxlanPort: number;
  readonly healthPort: number;
  readonly probe: GatewayProbeConfig;
  readonly drainGraceSeconds: number;
  /** The node agent's mark bits, when its options set them (one gateway of the app carries the node agent's options). */
  readonly nodeMarkMask?: number;
  /** The node agent records the staged zones' external destinations (its options' `observeStagedZones`). */
  readonly observeStagedZones?: boolean;
}

/** Zone ids are packet marks 1..63 (MAX_ZONE_ID of the data path). */
const ZONE_IDS = 63;
/** VNIs of zone tunnels: clear of Calico's 4096, Flannel's 1 and small numbers others pick. */
const VNI_BASE = 0x650000;

/**
 * Compiles the data-path configuration (the JSON both agents read) from the egress model: the zones that
 * leave through a cdk8s-egress gateway (members as namespaces + matchLabels, allowed destinations as allow
 * entries, direct destinations as noGateway), the gateways, the NAT pools that ask for node-level SNAT and
 * the cluster ranges. Pure; every problem is collected and thrown together, and the result is checked with
 * the agents' own parser, so the library never writes a document the agents would reject.
 */
export function compileDataPath(doc: EgressModelDocument, settings: GatewayDataPathSettings[], observeStagedZones = false): DataPathConfig {
  const plan = planDataPath(doc, settings, observeStagedZones);
  const errors = new ValidationErrors();
  plan.problems.forEach(p => errors.add(p));
  errors.throwIfAny(DATA_PATH_CONFIGURATION);
  return plan.config();
}

/** The heading of the data-path compiler's problem list. */
export const DATA_PATH_CONFIGURATION = 'data-path configuration';

/** The data path compiled from the model: what it cannot express, and (when nothing) the checked document. */
export interface DataPathPlan {
  readonly problems: string[];
  /** The document, checked with the agents' own parser; only when `problems` is empty. */
  config(): DataPathConfig;
}

/** Compiles without throwing: every problem is listed in the plan. */
/** `observeStagedZones`: a StagedZoneObserver asked (a gateway's node agent options can ask too). */
export function planDataPath(doc: EgressModelDocument, settings: GatewayDataPathSettings[], observeStagedZones = false): DataPathPlan {
  const errors = new ValidationErrors();
  const config = collectDataPath(doc, settings, observeStagedZones, errors);
  return {
    problems: errors.messages,
    config: () => {
      try {
        return parseDataPathConfig(JSON.parse(JSON.stringify(config)));
      } catch (e) {
        throw new Error(`the data-path configuration compiled from the egress model is invalid: ${(e as Error).message}`);
      }
    },
  };
}

/** The configuration before the agents' own parser has checked it; problems go to `errors`. */
function collectDataPath(doc: EgressModelDocument, settings: GatewayDataPathSettings[], observeStaged: boolean,
  errors: ValidationErrors): DataPathConfig {
  // IPv6 ranges and addresses only where a gateway has an IPv6 egress range: then the document is version 2, which
  // IPv4-only agents (version 1) refuse; an IPv4-only estate keeps writing version 1, so its running agents still read it.
  const dual = doc.gateways.some(gw => isDataPathGateway(gw) && gw.egressIps.some(isIpv6));
  // Domain rules for IPv6 pods (version 5) need the IPv6 cluster ranges too: the agent's gate lets them pass.
  const domains4 = compileDomainConfig(doc, errors);
  const domains = domains4 && { ...domains4, ...compileDnsProxy6(doc) };
  const ofFamilies = (list: string[]) => (dual || domains?.proxy6 ? [...list] : list.filter(c => !isIpv6(c)));
  const cluster = ofFamilies(doc.clusterCidrs);
  const nodeCidrs = ofFamilies(doc.nodeCidrs);
  const gateways = doc.gateways.filter(isDataPathGateway).map(gw => {
    const s = settings.find(x => x.name === gw.name);
    if (!s) {
      errors.add(problem(`gateway "${gw.name}" has no data-path settings`, gw.path, 'declare it with EgressGateway'));
      return undefined;
    }
    // One problem per range, its addresses as prefixes: not one line per address of an egress range.
    const within = (ranges: string[], hint: string, what: string) => ranges.forEach(range => {
      const held = CidrAggregator.merge(gw.egressIps.filter(ip => Cidr.parse(range).containsAddress(ip))).map(c => c.replace(/\/(32|128)$/, ''));
      if (held.length > 0) errors.add(problem(`egressIps "${held.join(', ')}" is inside the ${what} ${range}`, gw.path, hint));
    });
    within(cluster, 'take the egress range out of ClusterNetwork podCidrs: its traffic leaves the cluster', 'cluster range');
    within(nodeCidrs, 'give the gateway an egress range outside ClusterNetwork nodeCidrs: an address there belongs to a node', 'node range');
    const cfg: GatewayConfig = {
      name: gw.name,
      service: { namespace: s.serviceNamespace, name: s.serviceName },
      egressIps: [...gw.egressIps],
      vxlanPort: s.vxlanPort,
      healthPort: s.healthPort,
      probe: s.probe,
      drainGraceSeconds: s.drainGraceSeconds,
    };
    return cfg;
  }).filter((g): g is GatewayConfig => g !== undefined);

  // Node addresses count as in-cluster too: the node agent never steers traffic to them.
  const inCluster = [...cluster, ...nodeCidrs];
  const steered = steeredZones(doc, errors);
  // The node agent gives a pod the first zone whose members match it: zones go in precedence order, and a
  // zone that owns some of a steered zone's pods comes along unsteered, so those pods are not steered.
  // Zones whose domain rules the node agent enforces are in too (it finds their pods by their members).
  const domainZones = doc.zones.filter(z => usesAgentDomains(doc, z));
  const steeredNames = new Set([...steered.map(z => z.zone.name), ...domainZones.map(z => z.name)]);
  const owners = byPrecedence(doc.zones).filter(z => steeredNames.has(z.name)
    || [...steered.map(s => s.zone), ...domainZones].some(s => precedes(z, s) && mayShareWorkloads(z, s)));
  const ids = zoneIds(owners.map(z => z.name));
  const zones: ZoneConfig[] = owners.map(zone => {
    const id = ids.get(zone.name)!;
    const z = steered.find(s => s.zone.name === zone.name);
    if (!z) return { name: zone.name, id, members: zoneMembers(zone, errors), failOpen: false, allow: [], noGateway: [] };
    const domainRules = gatewayDomainRules(doc, z, errors);
    return {
      name: z.zone.name,
      id,
      members: zoneMembers(z.zone, errors),
      gateway: z.gateway.name,
      vni: VNI_BASE + id,
      failOpen: z.zone.exit.failOpen,
      allow: allowEntries(z, inCluster, errors),
      noGateway: [...noGatewayCidrs(z, inCluster, 4), ...(dual ? noGatewayCidrs(z, inCluster, 6) : [])],
      ...(domainRules.length ? { domainRules } : {}),
    };
  });

  const natPools: NatPoolConfig[] = [];
  for (const p of doc.natPools) {
    if (!p.snatAddress) continue;
    if (p.ipVersion !== 4) {
      errors.add(problem(`NAT pool "${p.name}" asks for node-level SNAT of an IPv6 pool, but the node agent SNATs IPv4 pools only`, p.path,
        'natOutgoing for the IPv6 pool, or an EgressGateway with ipv6EgressCidr for fixed IPv6 source addresses'));
      continue;
    }
    natPools.push({ name: p.name, cidr: p.cidr, snatAddress: p.snatAddress, noNatCidrs: p.noNatDestinations.filter(c => !isIpv6(c)) });
  }
  const nodeMarkMask = settings.find(x => x.nodeMarkMask !== undefined)?.nodeMarkMask;
  const observeAsked = observeStaged || settings.some(x => x.observeStagedZones);
  const observe = compileAddressObserver(doc, observeAsked, zoneMembers, errors, new Set(zones.map(z => z.name)));
  // The oldest version that says it all: agents that cannot observe staged zones refuse version 4, and agents that cannot
  // enforce domain rules through a gateway refuse version 3; version 5: domain rules for IPv6 pods.
  const version = domains?.proxy6 ? DOMAINS_IPV6_VERSION
    : observe ? OBSERVE_VERSION : zones.some(z => z.domainRules) ? GATEWAY_DOMAINS_VERSION : dual ? 2 : 1;
  return {
    version,
    // The model keeps pod and service ranges together; the agents treat all cluster ranges alike.
    cluster: { podCidrs: cluster, serviceCidrs: [], nodeCidrs },
    zones,
    gateways,
    natPools,
    // The node agent's options (its mark bits) ride on the gateway that declared them.
    node: { ...DATA_PATH_DEFAULTS.node, markMask: nodeMarkMask ?? DATA_PATH_DEFAULTS.node.markMask },
    ...(domains ? { domains } : {}),
    ...(observe ? { observe } : {}),
  };
}

/**
 * Zone ids from a hash of the name, so adding a zone does not renumber the others (an id is a packet
 * mark and names the zone's tunnel: renumbering would re-create tunnels). Collisions probe linearly, in
 * name order.
 */
function zoneIds(names: string[]): Map<string, number> {
  if (names.length > ZONE_IDS) {
    throw new Error(`${names.length} zones leave through gateways; the data path has room for ${ZONE_IDS}`);
  }
  const taken = new Set<number>();
  const out = new Map<string, number>();
  for (const name of [...names].sort()) {
    // FNV-1a, 32 bits.
    let h = 0x811c9dc5;
    // eslint-disable-next-line no-bitwise
    for (const ch of Buffer.from(name, 'utf8')) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
    let id = (h % ZONE_IDS) + 1;
    while (taken.has(id)) id = (id % ZONE_IDS) + 1;
    taken.add(id);
    out.set(name, id);
  }
  return out;
}

const EQUALITY_ONLY = 'select the zone\'s pods with == and && only';

/** A zone's members as the node agent matches pods: namespaces + matchLabels (problems to `errors`). */
export function zoneMembers(zone: EgressZoneModel, errors: ValidationErrors): ZoneConfig['members'] {
  const m = zone.members;
  const where = located(`zone "${zone.name}"`, zone.path);
  if (m.namespaceSelector) {
    errors.add(problem(`namespaceSelector "${m.namespaceSelector}" of ${where} cannot be steered: the node agent matches zone pods by namespace name`, undefined, 'list the namespaces'));
  }
  if (m.namespaces.length === 0) errors.add(`namespaces "[]" of ${where} is empty: the data path would steer every namespace`);
  let matchLabels: { [key: string]: string } = {};
  try {
    const sel = toKubeLabelSelector(m.podSelector);
    if (sel.matchExpressions?.length) {
      const requirements = sel.matchExpressions.map(e => `${e.key} ${e.operator}`).join(', ');
      errors.add(problem(`podSelector "${m.podSelector}" of ${where} cannot become matchLabels (the node agent matches pods by label equality only: ${requirements})`, undefined, EQUALITY_ONLY));
    }
    matchLabels = { ...(sel.matchLabels ?? {}) };
  } catch (e) {
    if (!(e instanceof UntranslatableSelectorError)) throw e;
    errors.add(problem(`podSelector "${m.podSelector}" of ${where} cannot become matchLabels: ${e.reason}`, undefined, EQUALITY_ONLY));
  }
  return { namespaces: [...m.namespaces], matchLabels };
}

/**
 * The gateway's allow-list for a zone: every destination routed through it, with its ports. A family the gateway has
 * no egress address of cannot go through it (its traffic would have no source to leave with).
 */
function allowEntries(z: SteeredZone, cluster: string[], errors: ValidationErrors): AllowEntryConfig[] {
  const out = new Map<string, AllowEntryConfig>();
  const add = (cidr: string, protocol: AllowEntryConfig['protocol'], ports: string[], description: string) => {
    const key = `${cidr}|${protocol}`;
    const prev = out.get(key);
    if (prev && (prev.ports.length === 0 || ports.length === 0)) {
      out.set(key, { ...prev, ports: [] });
    } else {
      out.set(key, { cidr, protocol, ports: [...new Set([...(prev?.ports ?? []), ...ports])].sort(), description: prev?.description ?? description });
    }
  };
  const families = new Set(z.gateway.egressIps.map(ip => (isIpv6(ip) ? 6 : 4)));
  for (const d of z.destinations.filter(x => x.gateway === z.gateway.name)) {
    const where = located(`rule "${d.rule.name}" of zone "${z.zone.name}"`, d.rule.path);
    if (!families.has(d.ipVersion as 4 | 6)) {
      const other = d.ipVersion === 6 ? 'ipv6EgressCidr' : 'egressCidr';
      errors.add(problem(`destination "${d.cidr}" of ${where} is IPv${d.ipVersion}, but gateway "${z.gateway.name}" has no IPv${d.ipVersion} egress address to leave with`,
        undefined, `give the gateway an IPv${d.ipVersion} range (${other}), or bypassGateway for these destinations in a rule of their own`));
      continue;
    }
    // Traffic to cluster ranges never reaches the gateway; the agents reject allow entries that overlap them.
    const sameFamily = cluster.filter(c => isIpv6(c) === (d.ipVersion === 6));
    const cidrs = sameFamily.length ? CidrAggregator.subtract([d.cidr], sameFamily) : [d.cidr];
    const description = d.rule.description ?? d.rule.name;
    for (const entry of portEntries(d, where, errors)) {
      for (const cidr of cidrs) add(cidr, entry.protocol, entry.ports, description);
    }
  }
  return [...out.values()].sort((a, b) => (a.cidr === b.cidr ? a.protocol.localeCompare(b.protocol) : a.cidr < b.cidr ? -1 : 1));
}

const isIpv6 = (cidrOrIp: string) => cidrOrIp.includes(':');

function portEntries(d: RoutedDestination, where: string, errors: ValidationErrors): { protocol: AllowEntryConfig['protocol']; ports: string[] }[] {
  if (d.ports.length === 0) return [{ protocol: 'any', ports: [] }];
  const out: { protocol: AllowEntryConfig['protocol']; ports: string[] }[] = [];
  for (const model of d.ports) {
    const port = Port.fromModel(model);
    const proto = port.protocol!;
    if (proto.isIcmp) {
      // The gateway allows ICMP as a whole (an entry's ICMP is its own family's: ICMPv6 for an IPv6 range); the zone's
      // and the gateway's Calico policies keep type and code.
      if (proto.ipVersion === d.ipVersion) out.push({ protocol: 'icmp', ports: [] });
      continue;
    }
    const name = proto.name.toLowerCase();
    if (name !== 'tcp' && name !== 'udp') {
      errors.add(problem(`port "${port}" of ${where} uses protocol ${proto.name}, which the gateway data path cannot filter (TCP, UDP, ICMP or all traffic)`, undefined,
        'leave these destinations directly (bypassGateway)'));
      continue;
    }
    if (port.portName !== undefined) {
      errors.add(problem(`port "${port}" of ${where} is a named port, which has no number outside the cluster`, undefined, 'give the port number'));
      continue;
    }
    const ports = port.fromPort === undefined ? [] : [port.fromPort === port.toPort ? String(port.fromPort) : `${port.fromPort}-${port.toPort}`];
    out.push({ protocol: name, ports });
  }
  return out;
}
