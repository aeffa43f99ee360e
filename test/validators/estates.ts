/**
 * The estates whose output goes through the real validators: the example (every backend), the test estates
 * of the other suites, and random estates built through the public constructs (fast-check, fixed seed).
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { EgressEstate } from '../../examples/app/main';
import {
  Backend, CalicoEnterpriseGateway, ClusterNetwork, Destination, DestinationSet, EgressGateway, EgressZone, Enforcement, InClusterTraffic, NatPool,
  Port, Selector,
} from '../../src';
import { EgressExitMode } from '../../src/model/egress-model-document';
import { renderDocument } from '../backends/render-helpers';
import { packetEstate } from '../exporters/packet-estate';
import { buildEstate, CLUSTER, estateArb } from '../meaning/estate-spec';
import { chartFor } from '../meaning/support';
import { exampleWarnings } from '../support/example-warnings';
import { captureWarnings } from '../support/warnings';

export const BACKENDS = ['calico', 'calico-enterprise', 'cilium', 'kubernetes'];

/** Manifest YAML of an app, and the objects parsed back from it (the bytes users apply). */
export interface Output {
  readonly label: string;
  readonly yaml: string;
  readonly objects: any[];
}

/**
 * What random estates may be warned about: zones that share a namespace may select the same pods, and a pool
 * without NAT needs the outside network to route it back (issue 21, item 14).
 */
const RANDOM_ESTATE_WARNING = /^egress backends \S+: (zones "[^"]+" and "[^"]+" may select the same pods |NAT pool "[^"]+" \S+ does not NAT \(natOutgoing: false\): )/;

/** The app's output, and the warnings its synth printed (each caller asserts them). */
function output(label: string, app: App): Output & { warnings: string[] } {
  const { result: yaml, warnings } = captureWarnings(() => app.synthYaml());
  return { label, yaml, objects: YAML.parseAllDocuments(yaml).map(d => d.toJSON()).filter(o => o), warnings };
}

function withOnlyOverlapWarnings(out: Output & { warnings: string[] }): Output {
  expect(out.warnings.filter(w => !RANDOM_ESTATE_WARNING.test(w))).toEqual([]);
  return out;
}

/** The example estate (examples/app/main.ts) with BACKEND=<backend>. */
export function exampleOutput(backend: string): Output {
  const before = process.env.BACKEND;
  process.env.BACKEND = backend;
  try {
    const app = Testing.app();
    new EgressEstate(app, 'egress');
    const out = output(`example BACKEND=${backend}`, app);
    expect(out.warnings).toEqual(exampleWarnings(backend));
    return out;
  } finally {
    if (before === undefined) delete process.env.BACKEND;
    else process.env.BACKEND = before;
  }
}

/**
 * The packet tests' estate (test/exporters/packet-estate.ts), every zone given to `backend`. Cilium and plain
 * NetworkPolicy have no per-pool NAT: there the pools are left out; Cilium's gateway runs on labelled nodes, and
 * plain NetworkPolicy has none (its gated zone leaves through NAT outgoing).
 */
export function packetEstateOutput(backend: string): Output {
  let doc = packetEstate();
  // The hand-built fixture writes a host as "172.16.10.5"; the model builder writes "172.16.10.5/32".
  doc = {
    ...doc,
    destinationSets: doc.destinationSets.map(set => ({
      ...set,
      cidrs: set.cidrs.map(c => c.cidr.includes('/') ? c : { ...c, cidr: `${c.cidr}/${c.ipVersion === 6 ? 128 : 32}` }),
    })),
  };
  if (backend === 'cilium' || backend === 'kubernetes') {
    doc = {
      ...doc,
      natPools: [],
      gateways: backend === 'cilium' ? doc.gateways.map(g => ({ ...g, nodeSelector: 'egress-node == "true"' })) : [],
      zones: doc.zones.map(z => ({
        ...z,
        exit: backend === 'kubernetes' ? { ...z.exit, natPools: [], mode: EgressExitMode.NAT_OUTGOING, gateway: undefined } : { ...z.exit, natPools: [] },
      })),
    };
  }
  const rendered = renderDocument({ ...doc, zones: doc.zones.map(z => ({ ...z, backend })) }, backend);
  if (rendered.problems.length > 0) throw new Error(`packet estate on ${backend}: ${rendered.problems.join('; ')}`);
  const yaml = rendered.objects.map(o => YAML.stringify(o)).join('---\n');
  return { label: `packet estate on ${backend}`, yaml, objects: rendered.objects };
}

// Random estates: only inputs the constructs accept, over the features each backend has.
const NAMESPACES = ['payments', 'batch', 'reporting', 'sandbox', 'partners', 'team-a', 'team-b', 'ml'];
const POD_SELECTORS = ['app == "api"', 'has(tier)', 'app in {"a", "b"}', '!has(legacy)', 'tier != "web" && has(app)', 'role starts with "job-"'];
const port = fc.oneof(
  fc.integer({ min: 1, max: 65535 }).map(p => Port.tcp(p)),
  fc.integer({ min: 1, max: 65535 }).map(p => Port.udp(p)),
  fc.integer({ min: 1, max: 65535 }).map(p => Port.sctp(p)),
  fc.tuple(fc.integer({ min: 1, max: 32768 }), fc.integer({ min: 0, max: 1000 })).map(([p, n]) => Port.parse(`tcp/${p}-${p + n}`)),
  fc.integer({ min: 0, max: 254 }).map(type => Port.icmp({ type })),
);
const v4Net = fc.tuple(fc.constantFrom('203.0.113', '198.51.100', '192.0.2'), fc.integer({ min: 25, max: 32 }), fc.integer({ min: 0, max: 255 }))
  .map(([net, len, host]) => `${net}.${host - (host % 2 ** (32 - len))}/${len}`);
const v6Net = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 48, max: 128 }))
  .map(([block, len]) => len === 128 ? `2001:db8:${block.toString(16)}::1/128` : `2001:db8:${block.toString(16)}::/${len}`);
const nets = fc.uniqueArray(fc.oneof(v4Net, v4Net, v6Net), { minLength: 1, maxLength: 6 });

interface ZoneSpec {
  namespaces: string[];
  podSelector?: string;
  allowInCluster: boolean;
  dns: boolean;
  order?: number;
  pool?: { natOutgoing: boolean; blockSize: number; noNat: string[] };
  gateway: boolean;
  rules: Array<{ nets: string[]; shared: boolean; domains: string[]; ports: Port[] }>;
}

const zoneSpec: fc.Arbitrary<ZoneSpec> = fc.record({
  namespaces: fc.uniqueArray(fc.constantFrom(...NAMESPACES), { minLength: 1, maxLength: 2 }),
  podSelector: fc.option(fc.constantFrom(...POD_SELECTORS), { nil: undefined }),
  allowInCluster: fc.boolean(),
  dns: fc.boolean(),
  order: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
  pool: fc.option(fc.record({
    natOutgoing: fc.boolean(),
    blockSize: fc.integer({ min: 24, max: 28 }),
    noNat: fc.uniqueArray(fc.constantFrom('172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'), { maxLength: 2 }),
  }), { nil: undefined }),
  gateway: fc.boolean(),
  rules: fc.array(fc.record({
    nets,
    shared: fc.boolean(),
    domains: fc.uniqueArray(fc.constantFrom('api.example.com', '*.storage.example.net', 'partner.example.org'), { maxLength: 2 }),
    ports: fc.uniqueArray(port, { minLength: 1, maxLength: 3, selector: p => p.toString() }),
  }), { minLength: 1, maxLength: 4 }),
});

const estateSpec = (backends: string[]) => fc.record({
  backend: fc.constantFrom(...backends),
  zones: fc.array(zoneSpec, { minLength: 1, maxLength: 4 }),
});

function buildRandomEstate(chart: Chart, spec: { backend: string; zones: ZoneSpec[] }): void {
  const backend = Backend.of(spec.backend);
  Backend.setDefault(chart, backend);
  const calicoIpam = spec.backend === 'calico' || spec.backend === 'calico-enterprise';
  // NetworkPolicy and ClusterNetworkPolicy: no gateways, no ICMP, set-based label selectors only.
  const plainPolicy = spec.backend === 'kubernetes' || spec.backend === 'cluster-network-policy';
  new ClusterNetwork(chart, 'cluster', {
    podCidrs: ['10.0.0.0/8'],
    serviceCidrs: ['172.30.0.0/16'],
    nodeCidrs: ['192.0.2.0/26', '2001:db8:ffff::/64'],
  });
  // Calico Enterprise estates use Enterprise's own gateway (EgressGateway + EgressGatewayPolicy objects).
  // Cilium's gateway runs on labelled nodes with one egress IP (CiliumEgressGatewayPolicy objects).
  const gateway = plainPolicy || !spec.zones.some(z => z.gateway) ? undefined
    : spec.backend === 'calico-enterprise' ? new CalicoEnterpriseGateway(chart, 'gw', { namespace: 'egress-gateway', egressCidr: '192.0.2.64/29' })
      : spec.backend === 'cilium'
        ? new EgressGateway(chart, 'gw', { name: 'egress', namespace: 'egress-gateway', egressCidr: '192.0.2.64/32', replicas: 1, nodeSelector: { 'egress-node': 'true' } })
        : new EgressGateway(chart, 'gw', { name: 'egress', namespace: 'egress-gateway', egressCidr: '192.0.2.64/29', replicas: 2 });
  const used = new Set<string>();
  spec.zones.forEach((z, zi) => {
    // A namespace belongs to one zone.
    const namespaces = z.namespaces.filter(n => !used.has(n));
    if (namespaces.length === 0) return;
    namespaces.forEach(n => used.add(n));
    const pool = calicoIpam && z.pool ? new NatPool(chart, `pool-${zi}`, {
      cidr: `10.${100 + zi}.0.0/16`,
      natOutgoing: z.pool.natOutgoing,
      blockSize: z.pool.blockSize,
      noNatDestinations: z.pool.natOutgoing ? z.pool.noNat : [],
    }) : undefined;
    // Plain NetworkPolicy and Cilium have only set-based label selectors (and NetworkPolicy no ICMP, below).
    let podSelector = z.podSelector && !((plainPolicy || spec.backend === 'cilium') && /starts with/.test(z.podSelector)) ? z.podSelector : undefined;
    // The gateway's node agent matches a zone's pods by label equality only.
    // and Calico Enterprise's gateway policy applies to whole namespaces (the library annotates namespaces).
    if (podSelector && z.gateway && gateway) podSelector = spec.backend === 'calico-enterprise' ? undefined : 'app == "api"';
    const zone = new EgressZone(chart, `zone-${zi}`, {
      namespaces,
      podSelector: podSelector ? Selector.parse(podSelector) : undefined,
      allowInCluster: z.allowInCluster,
      dns: { enabled: z.dns },
      order: z.order,
      natPools: pool ? [pool] : [],
      gateway: z.gateway ? gateway : undefined,
    });
    z.rules.forEach((r, ri) => {
      // The bundled gateway's data path steers IPv4 only.
      const gated = z.gateway && gateway !== undefined;
      const v4 = r.nets.filter(n => !n.includes(':'));
      const cidrs = gated ? (v4.length > 0 ? v4 : ['203.0.113.0/24']) : r.nets;
      const to = r.shared
        ? [Destination.set(new DestinationSet(chart, `set-${zi}-${ri}`, { cidrs, domains: spec.backend === 'calico-enterprise' ? r.domains : [] }))]
        : [Destination.cidrs(cidrs)];
      // NetworkPolicy has no ICMP; the gateway's data path filters no SCTP.
      // ICMP is one family's: towards IPv6-only addresses the constructs accept ICMPv6 only.
      const v6Only = cidrs.every(c => c.includes(':'));
      const ports = r.ports.filter(p => !(plainPolicy && p.toString().startsWith('icmp')) && !(gated && p.toString().startsWith('sctp')))
        .map(p => (v6Only && p.protocol?.number === 1 ? Port.icmpv6({ type: p.icmpType }) : p));
      zone.allow(`rule-${ri}`, { to, ports: ports.length > 0 ? ports : [Port.tcp(443)] });
    });
  });
}

/** `count` random estates on `backends` (seeded: the same estates every run), synthesized. */
export function randomEstateOutputs(count: number, backends: string[], seed = 20261202): Output[] {
  return fc.sample(estateSpec(backends), { numRuns: count, seed }).map((spec, i) => {
    const app = Testing.app();
    const chart = new Chart(app, `random-${i}`, { disableResourceNameHashes: true });
    try {
      buildRandomEstate(chart, spec);
      return output(`random estate ${i} (${spec.backend})`, app);
    } catch (e) {
      throw new Error(`random estate ${i} (${JSON.stringify(spec)}) does not synthesize: ${(e as Error).message}`);
    }
  }).map(withOnlyOverlapWarnings);
}

/**
 * The meaning suite's estates: the same 15 that its agreement property test builds (test/meaning/estate-spec.ts,
 * seed 14). Some are refused at synth on purpose; those write nothing and are left out.
 */
export function meaningEstateOutputs(backend: string, count = 15, seed = 14): Output[] {
  return fc.sample(estateArb(backend), { numRuns: count, seed }).flatMap((spec, i) => {
    const { app, chart } = chartFor(backend, CLUSTER);
    try {
      buildEstate(chart, spec);
      return [output(`meaning estate ${i} (${backend})`, app)];
    } catch {
      return [];
    }
  }).map(withOnlyOverlapWarnings);
}

/**
 * DNS on every port (a Calico rule without a protocol), on ICMP echo (one family) and UDP 53, to the DNS pods and
 * to external servers of both families (issue 21, item 8).
 */
export function dnsPortsOutput(backend: string): Output {
  const { app, chart } = chartFor(backend);
  const cidrs = ['198.51.100.53/32', '2001:db8::53/128'];
  new EgressZone(chart, 'every-port', { namespaces: ['a'], dns: { ports: [Port.allTraffic()], cidrs } });
  new EgressZone(chart, 'icmp', { namespaces: ['b'], dns: { ports: [Port.udp(53), Port.icmp({ type: 8 }), Port.icmpv6({ type: 128 })], cidrs } });
  const out = output(`DNS ports (${backend})`, app);
  expect(out.warnings).toEqual([]);
  return out;
}


/** Staged zones (ClusterNetwork's default and a zone's own choice): a tier, the API server, in-cluster choices, sets and pools. */
export function stagedEstateOutput(backend: string): Output {
  const app = Testing.app();
  const chart = new Chart(app, 'staged');
  Backend.setDefault(chart, Backend.of(backend));
  new ClusterNetwork(chart, 'cluster', {
    podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'], nodeCidrs: ['192.0.2.0/24'], apiServerAddresses: ['192.0.2.10'], enforcement: Enforcement.STAGED,
  });
  const partners = new DestinationSet(chart, 'partners', { cidrs: ['198.51.100.0/24', '203.0.113.0/25'] });
  const pool = new NatPool(chart, 'pool', { cidr: '10.250.0.0/24' });
  new EgressZone(chart, 'shop', { namespaces: ['shop'], tier: 'egress', allowApiServer: true, inCluster: InClusterTraffic.DENY, natPools: [pool] })
    .allow('partners', { to: [Destination.set(partners)], ports: [Port.tcp(443)] });
  new EgressZone(chart, 'batch', { namespaces: ['batch'], inCluster: InClusterTraffic.ALLOW, enforcement: Enforcement.STAGED })
    .allow('ntp', { to: [Destination.cidr('192.0.2.123/32')], ports: [Port.udp(123)] });
  return output(`staged zones BACKEND=${backend}`, app);
}
