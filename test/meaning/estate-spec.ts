/**
 * Random estates for the agreement property test: a plain description (the "declared model"), the
 * constructs built from it through the public API, and the oracle: what the description means, read from
 * README and docs/backends.md (one zone per pod: the first by order and name; DNS allowed; the API server when
 * the zone allows it; in-cluster destinations, node addresses included, by the zone's inCluster choice (a pass
 * from a tiered zone reaches the default tier, where no policy selects the pod); a rule allows its addresses on its ports; a destination leaves
 * through the exit of the most specific rule that allows it).
 */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import * as ipaddr from 'ipaddr.js';
import { calicoSelectorMatches } from './evaluators/calico-selector';
import { cidrContains, ipVersionOf, Labels } from './evaluators/packet';
import { Destination, DestinationSet, EgressZone, InClusterTraffic, NatPool, Port, Selector } from '../../src';

const IN_CLUSTER = { allow: InClusterTraffic.ALLOW, pass: InClusterTraffic.PASS, deny: InClusterTraffic.DENY };
import { EgressGateway } from '../../src/constructs/egress-gateway';

export type PortSpec =
  | { kind: 'tcp' | 'udp'; from: number; to: number }
  | { kind: 'tcp-all' }
  | { kind: 'icmp'; type: number };

export interface RuleSpec {
  readonly name: string;
  readonly cidrs: string[];
  readonly set?: string;
  /** undefined: every protocol and port (Port.allTraffic()) */
  readonly ports?: PortSpec[];
  readonly bypass: boolean;
}

export interface ZoneSpec {
  readonly name: string;
  readonly namespaces: string[];
  readonly selector: string;
  readonly order: number;
  readonly inCluster: 'allow' | 'pass' | 'deny';
  /** Calico tier: 'default' or 'security' (the other backends have no tiers). */
  readonly tier: string;
  readonly allowApiServer: boolean;
  readonly rules: RuleSpec[];
  readonly pool?: { readonly nat: boolean };
  readonly gateway: boolean;
}

export interface EstateSpec {
  readonly backend: string;
  readonly zones: ZoneSpec[];
  readonly sets: { name: string; cidrs: string[] }[];
}

export const NODE_V4 = '192.0.2.10';
export const DNS_SERVICE = '10.96.0.10';
/** The kubernetes Service's address: the first of the Service range. */
export const API_SERVICE = '10.96.0.1';
export const API_PORT = 6443;
export const CLUSTER = {
  podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'],
  serviceCidrs: ['10.96.0.0/12'],
  nodeCidrs: ['192.0.2.0/26', '2001:db8:ffff::/64'],
  apiServerAddresses: [`${NODE_V4}/32`],
  dnsServiceAddress: DNS_SERVICE,
};
export const NODE_V6 = '2001:db8:ffff::10';
export const NAMESPACES = ['a', 'b', 'c'];
export const POD_LABELS: Labels[] = [{}, { app: 'x' }, { app: 'y' }, { app: 'x', tier: 'front' }, { tier: 'front' }, { app: 'x', tier: 'back' }];
export const GATEWAY_CIDR = '198.18.0.0/29';

// Overlapping, nested and adjacent prefixes, prefixes that cover the cluster ranges, and IPv6.
const PREFIXES = [
  '203.0.113.0/24', '203.0.113.0/25', '203.0.113.128/25', '203.0.113.192/26', '203.0.113.7/32',
  '198.51.100.0/24', '198.51.100.0/23', '10.0.0.0/8', '0.0.0.0/1', '172.16.0.0/12',
  '2001:db8:1::/48', '2001:db8:1:8000::/49', '2001:db8:2::/64',
];

const FULL_SELECTORS = [
  'all()', 'app == "x"', 'app != "x"', 'app in {"x", "y"}', 'app not in {"x"}', 'has(tier)', '!has(tier)',
  'app == "x" && tier == "front"', 'app == "x" || tier == "front"', 'app starts with "x"',
];
// Kubernetes label selectors (Cilium, NetworkPolicy) say ==, !=, in, not in, has() and && only.
const LABEL_SELECTORS = ['all()', 'app == "x"', 'app != "x"', 'app in {"x", "y"}', 'app not in {"x"}', 'has(tier)', '!has(tier)', 'app == "x" && tier == "front"'];
// The node agent matches zone members by label equality.
const EQUALITY_SELECTORS = ['all()', 'app == "x"', 'app == "x" && tier == "front"'];

const portArb = (backend: string): fc.Arbitrary<PortSpec> => {
  const ranges: fc.Arbitrary<PortSpec>[] = [
    fc.constantFrom<PortSpec>({ kind: 'tcp', from: 443, to: 443 }, { kind: 'tcp', from: 8000, to: 8080 }, { kind: 'udp', from: 53, to: 53 },
      { kind: 'udp', from: 443, to: 443 }, { kind: 'tcp', from: 1, to: 1 }, { kind: 'tcp', from: 65535, to: 65535 }),
    fc.constant<PortSpec>({ kind: 'tcp-all' }),
  ];
  // NetworkPolicy and ClusterNetworkPolicy match no ICMP type (synth refuses it).
  if (backend !== 'kubernetes' && backend !== 'cluster-network-policy') ranges.push(fc.constant<PortSpec>({ kind: 'icmp', type: 8 }));
  return fc.oneof(...ranges);
};

export function estateArb(backend: string): fc.Arbitrary<EstateSpec> {
  const calicoLike = backend === 'calico';
  // Calico and ClusterNetworkPolicy can deny in-cluster traffic.
  const denies = calicoLike || backend === 'cluster-network-policy';
  const rule = (i: number) => fc.record({
    cidrs: fc.subarray(PREFIXES, { minLength: 1, maxLength: 2 }),
    useSet: fc.boolean(),
    ports: fc.option(fc.uniqueArray(portArb(backend), { minLength: 1, maxLength: 2, selector: p => JSON.stringify(p) }), { freq: 4 }),
    bypass: fc.boolean(),
  }).map(r => ({ name: `r${i}`, cidrs: r.cidrs, set: r.useSet ? 'shared' : undefined, ports: r.ports ?? undefined, bypass: r.bypass }));
  const zone = (i: number) => fc.record({
    namespaces: fc.subarray(NAMESPACES, { minLength: 1, maxLength: 2 }),
    selectorIndex: fc.nat(),
    order: fc.constantFrom(100, 100, 50),
    allowInCluster: fc.boolean(),
    rules: fc.integer({ min: 0, max: 3 }).chain(n => fc.tuple(...Array.from({ length: n }, (_, j) => rule(j)))),
    pool: calicoLike ? fc.option(fc.record({ nat: fc.boolean() })) : fc.constant(null),
    gateway: calicoLike ? fc.boolean() : fc.constant(false),
  }).map(z => {
    const forms = z.gateway ? EQUALITY_SELECTORS : calicoLike ? FULL_SELECTORS : LABEL_SELECTORS;
    // The in-cluster choice, the tier and the API server come from spare bits of draws the estates already make,
    // so the estates of earlier runs stay the same. Kubernetes and Cilium cannot deny in-cluster traffic (a
    // synth-time error); only Calico has tiers.
    const bits = Math.floor(z.selectorIndex / 16);
    const notAllowed: ZoneSpec['inCluster'] = denies && bits % 2 === 1 ? 'deny' : 'pass';
    return {
      name: `z${i}`,
      namespaces: z.namespaces,
      selector: forms[z.selectorIndex % forms.length],
      order: z.order,
      inCluster: z.allowInCluster ? 'allow' : notAllowed,
      tier: calicoLike && Math.floor(bits / 2) % 3 === 2 ? 'security' : 'default',
      allowApiServer: Math.floor(bits / 6) % 2 === 1,
      // a gateway zone's IPv6 destinations must bypass the (IPv4) data path; without a gateway bypass means nothing
      rules: z.rules.map(r => ({ ...r, bypass: z.gateway && (r.bypass || r.cidrs.some(c => c.includes(':'))) })),
      pool: z.pool ?? undefined,
      gateway: z.gateway,
    } as ZoneSpec;
  });
  return fc.record({
    zones: fc.integer({ min: 1, max: 3 }).chain(n => fc.tuple(...Array.from({ length: n }, (_, i) => zone(i)))),
    shared: fc.subarray(PREFIXES, { minLength: 1, maxLength: 2 }),
  }).map(e => ({ backend, zones: e.zones.map(z => ({ ...z, rules: z.rules.map(r => icmpOfItsFamily(r, e.shared)) })), sets: [{ name: 'shared', cidrs: e.shared }] }));
}

/** ICMP is IPv4's: a rule whose addresses are all IPv6 takes no Port.icmp() (synth refuses it, docs/backends.md). */
function icmpOfItsFamily(r: RuleSpec, shared: string[]): RuleSpec {
  const cidrs = [...r.cidrs, ...(r.set ? shared : [])];
  if (r.ports === undefined || cidrs.some(c => !c.includes(':'))) return r;
  const ports = r.ports.filter(p => p.kind !== 'icmp');
  return { ...r, ports: ports.length > 0 ? ports : [{ kind: 'tcp', from: 443, to: 443 }] };
}

function portOf(p: PortSpec): Port {
  switch (p.kind) {
    case 'tcp': return p.from === p.to ? Port.tcp(p.from) : Port.tcpRange(p.from, p.to);
    case 'udp': return p.from === p.to ? Port.udp(p.from) : Port.udpRange(p.from, p.to);
    case 'tcp-all': return Port.allTcp();
    case 'icmp': return Port.icmp({ type: p.type });
  }
}

/** Builds the estate's constructs into `chart` (which has the backend and ClusterNetwork). */
export function buildEstate(chart: Chart, spec: EstateSpec): void {
  const sets = new Map(spec.sets.map(s => [s.name, new DestinationSet(chart, s.name, { cidrs: s.cidrs })]));
  const gateway = spec.zones.some(z => z.gateway) ? new EgressGateway(chart, 'gw', { namespace: 'egress', egressCidr: GATEWAY_CIDR }) : undefined;
  spec.zones.forEach((z, i) => {
    const pool = z.pool ? new NatPool(chart, `${z.name}-pool`, { cidr: `10.244.${10 + i}.0/24`, natOutgoing: z.pool.nat }) : undefined;
    const zone = new EgressZone(chart, z.name, {
      namespaces: z.namespaces,
      podSelector: Selector.parse(z.selector),
      order: z.order,
      inCluster: IN_CLUSTER[z.inCluster],
      tier: z.tier === 'default' ? undefined : z.tier,
      allowApiServer: z.allowApiServer || undefined,
      natPools: pool ? [pool] : undefined,
      gateway: z.gateway ? gateway : undefined,
    });
    for (const r of z.rules) {
      zone.allow(r.name, {
        to: [...r.cidrs.map(c => Destination.cidr(c)), ...(r.set ? [Destination.set(sets.get(r.set)!)] : [])],
        ports: r.ports === undefined ? [Port.allTraffic()] : r.ports.map(portOf),
        bypassGateway: r.bypass || undefined,
      });
    }
  });
}

export interface Query {
  readonly namespace: string;
  readonly labels: Labels;
  readonly ip: string;
  readonly protocol: number;
  readonly port?: number;
  readonly icmpType?: number;
  /** In-cluster destination: the pod the packet reaches. */
  readonly endpoint?: { namespace: string; labels: Labels };
  /** The destination is a node address; `apiServer`: the API server's (after kube-proxy's translation). */
  readonly node?: boolean;
  readonly apiServer?: boolean;
}

export function ruleCidrs(spec: EstateSpec, r: RuleSpec): string[] {
  return [...r.cidrs, ...(r.set ? spec.sets.find(s => s.name === r.set)!.cidrs : [])];
}

function portMatches(p: PortSpec, q: Query): boolean {
  switch (p.kind) {
    case 'tcp': return q.protocol === 6 && q.port !== undefined && p.from <= q.port && q.port <= p.to;
    case 'udp': return q.protocol === 17 && q.port !== undefined && p.from <= q.port && q.port <= p.to;
    case 'tcp-all': return q.protocol === 6;
    case 'icmp': return q.protocol === 1 && q.icmpType === p.type;
  }
}

export function ruleAllows(spec: EstateSpec, r: RuleSpec, q: Query): string | undefined {
  if (r.ports !== undefined && !r.ports.some(p => portMatches(p, q))) return undefined;
  return ruleCidrs(spec, r).filter(c => cidrContains(c, q.ip)).sort((a, b) => prefixLength(b) - prefixLength(a))[0];
}

export function prefixLength(c: string): number {
  return Number(c.slice(c.indexOf('/') + 1));
}

export function inCluster(ip: string, spec: EstateSpec): boolean {
  return [...CLUSTER.podCidrs, ...CLUSTER.serviceCidrs, ...CLUSTER.nodeCidrs, ...spec.zones.map((_, i) => `10.244.${10 + i}.0/24`)].some(c => cidrContains(c, ip));
}

/** The zone that owns a pod: the first by order, then name, of those selecting it. */
export function owningZone(spec: EstateSpec, namespace: string, labels: Labels): ZoneSpec | undefined {
  return spec.zones.filter(z => z.namespaces.includes(namespace) && calicoSelectorMatches(z.selector, labels))
    .sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : 1))[0];
}

export interface Expected {
  readonly allowed: boolean;
  readonly zone?: ZoneSpec;
  /** For allowed external traffic: 'gateway' or 'direct', from the most specific allowing rule. */
  readonly exit?: 'gateway' | 'direct';
  readonly external: boolean;
}

export function expected(spec: EstateSpec, q: Query): Expected {
  const zone = owningZone(spec, q.namespace, q.labels);
  const external = q.endpoint === undefined && !inCluster(q.ip, spec);
  if (!zone) return { allowed: true, external };
  if (q.endpoint && q.endpoint.namespace === 'kube-system' && q.endpoint.labels['k8s-app'] === 'kube-dns' && [6, 17].includes(q.protocol) && q.port === 53) {
    return { allowed: true, zone, external };
  }
  if (q.apiServer && zone.allowApiServer) return { allowed: true, zone, external };
  // in-cluster, node addresses included: the zone's choice; a tiered zone's pass reaches the default tier, where no policy selects the pod
  if (!external) return { allowed: zone.inCluster === 'allow' || (zone.inCluster === 'pass' && zone.tier !== 'default'), zone, external };
  let best: { rule: RuleSpec; len: number } | undefined;
  for (const r of zone.rules) {
    const c = ruleAllows(spec, r, q);
    if (c && (!best || prefixLength(c) > best.len)) best = { rule: r, len: prefixLength(c) };
  }
  if (!best) return { allowed: false, zone, external };
  return { allowed: true, zone, external, exit: zone.gateway && !best.rule.bypass ? 'gateway' : 'direct' };
}

// Address arithmetic on BigInts: prefixes are bit masks.
/* eslint-disable no-bitwise */
/** Boundary-biased destination addresses of an estate: each prefix's first and last address and both neighbours. */
export function boundaryAddresses(spec: EstateSpec): string[] {
  const out = new Set<string>(['8.8.8.8', '2001:db8:9::1']);
  for (const c of [...spec.zones.flatMap(z => z.rules.flatMap(r => ruleCidrs(spec, r)))]) {
    const [addr, bits] = ipaddr.parseCIDR(c);
    const width = addr.kind() === 'ipv4' ? 32 : 128;
    const first = toBig(addr.toByteArray()) & ~((1n << BigInt(width - bits)) - 1n);
    const last = first + (1n << BigInt(width - bits)) - 1n;
    const max = (1n << BigInt(width)) - 1n;
    for (const v of [first, last, first - 1n, last + 1n, first + (last - first) / 2n]) if (v >= 0n && v <= max) out.add(fromBig(v, width));
  }
  return [...out].filter(ip => !inCluster(ip, spec) && !cidrContains('192.0.2.0/26', ip) && !cidrContains('2001:db8:ffff::/64', ip)
    && !cidrContains(GATEWAY_CIDR, ip) && !cidrContains('0.0.0.0/8', ip) && !cidrContains('127.0.0.0/8', ip) && !cidrContains('224.0.0.0/3', ip));
}

function toBig(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function fromBig(v: bigint, width: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < width / 8; i++) bytes.unshift(Number((v >> BigInt(8 * i)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/* eslint-enable no-bitwise */

export { ipVersionOf };
