/**
 * The benchmark estate, generated deterministically: N zones (one namespace and one NAT pool each) with M
 * AllowExternal rules each. Rules alternate between a catalog of shared destination sets (SaaS endpoints a
 * fleet allows everywhere) and per-team inline addresses, on realistic ports. The same allow-lists are also
 * written as cdk8s-plus-28 NetworkPolicies (one per zone, ipBlock peers), the usual alternative.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DestinationSet, Destination, EgressZone, NatPool, Port, Selector } from '../src';

/** Shared destination sets in the catalog. */
export const CATALOG_SIZE = 200;
/** Rules of a zone that reference the catalog (the rest are inline addresses). */
const SHARED_RULES_OF_20 = 14;

interface PortSpec { proto: 'tcp' | 'udp'; port: number; end?: number }
interface RuleSpec { id: string; shared?: number; cidrs?: string[]; ports: PortSpec[] }

const PORT_MIX: PortSpec[][] = [
  [{ proto: 'tcp', port: 443 }],
  [{ proto: 'tcp', port: 443 }, { proto: 'tcp', port: 8443 }],
  [{ proto: 'tcp', port: 5432 }],
  [{ proto: 'udp', port: 123 }],
  [{ proto: 'tcp', port: 9000, end: 9100 }],
  [{ proto: 'tcp', port: 443 }, { proto: 'udp', port: 443 }],
];

/** The catalog's CIDRs: 1-4 prefixes per set, IPv4 and IPv6. */
export function catalogCidrs(k: number): string[] {
  const out: string[] = [];
  const count = 1 + (k % 4);
  for (let j = 0; j < count; j++) {
    out.push(j % 3 === 2
      ? `2600:1f${(k % 16).toString(16)}${j}:${(k * 7 + j).toString(16)}::/48`
      : `${3 + (k % 50)}.${(k * 13 + j * 5) % 256}.${(j * 64) % 256}.0/${18 + (j % 6)}`);
  }
  return out;
}

/** The rules of zone `i`. */
export function zoneRules(i: number, m: number): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const shared = Math.round((m * SHARED_RULES_OF_20) / 20);
  for (let r = 0; r < m; r++) {
    const ports = PORT_MIX[(i + r) % PORT_MIX.length];
    if (r < shared) {
      rules.push({ id: `r${r}`, shared: (i * 31 + r * 17) % CATALOG_SIZE, ports });
    } else {
      rules.push({
        id: `z${i}-r${r}`,
        cidrs: [`172.${16 + (r % 16)}.${(i >> 8) & 255}.${i & 255}/32`, `2001:db8:${i.toString(16)}:${r.toString(16)}::/64`],
        ports,
      });
    }
  }
  return rules;
}

function ourPort(p: PortSpec): Port {
  if (p.end !== undefined) return p.proto === 'tcp' ? Port.tcpRange(p.port, p.end) : Port.udpRange(p.port, p.end);
  return p.proto === 'tcp' ? Port.tcp(p.port) : Port.udp(p.port);
}

function plusPort(p: PortSpec): kplus.NetworkPolicyPort {
  if (p.end !== undefined) return p.proto === 'tcp' ? kplus.NetworkPolicyPort.tcpRange(p.port, p.end) : kplus.NetworkPolicyPort.udpRange(p.port, p.end);
  return p.proto === 'tcp' ? kplus.NetworkPolicyPort.tcp(p.port) : kplus.NetworkPolicyPort.udp(p.port);
}

/**
 * The estate with cdk8s-egress (in `app`: a cdk8s App, or an EgressApp). `natPools: false` leaves out the NAT
 * pools, which cdk8s-plus-28 has no equivalent of: then both libraries render exactly the same allow-lists.
 */
export function buildOurs(n: number, m: number, app: App = new App(), options: { natPools?: boolean } = {}): App {
  const withPools = options.natPools ?? true;
  const chart = new Chart(app, 'estate', { disableResourceNameHashes: true });
  const catalog: DestinationSet[] = [];
  for (let k = 0; k < CATALOG_SIZE; k++) {
    catalog.push(new DestinationSet(chart, `svc-${k}`, { description: `SaaS endpoint ${k}`, cidrs: catalogCidrs(k) }));
  }
  for (let i = 0; i < n; i++) {
    const pool = withPools ? new NatPool(chart, `pool-${i}`, {
      cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
      blockSize: 28,
      natOutgoing: i % 3 !== 0,
    }) : undefined;
    const zone = new EgressZone(chart, `team-${i}`, {
      namespaces: [`team-${i}`],
      podSelector: i % 2 === 0 ? Selector.parse(`app == "svc-${i % 50}" && tier in {"api", "worker"}`) : undefined,
      natPools: pool ? [pool] : [],
    });
    for (const rule of zoneRules(i, m)) {
      zone.allow(rule.id, {
        to: [rule.shared !== undefined ? Destination.set(catalog[rule.shared]) : Destination.cidrs(rule.cidrs!)],
        ports: rule.ports.map(ourPort),
      });
    }
  }
  return app;
}

/** The same allow-lists as cdk8s-plus-28 NetworkPolicies (default-deny egress, DNS, ipBlock peers). */
export function buildPlus(n: number, m: number, app: App = new App()): App {
  const chart = new Chart(app, 'estate', { disableResourceNameHashes: true });
  // Shared ranges are written once as peers and reused by every policy (peers are constructs).
  const catalog: kplus.NetworkPolicyIpBlock[][] = [];
  for (let k = 0; k < CATALOG_SIZE; k++) {
    catalog.push(catalogCidrs(k).map((c, j) => c.includes(':')
      ? kplus.NetworkPolicyIpBlock.ipv6(chart, `svc-${k}-${j}`, c)
      : kplus.NetworkPolicyIpBlock.ipv4(chart, `svc-${k}-${j}`, c)));
  }
  const dns = kplus.Pods.select(chart, 'dns', {
    labels: { 'k8s-app': 'kube-dns' },
    namespaces: kplus.Namespaces.select(chart, 'kube-system', { names: ['kube-system'] }),
  });
  const dnsPorts = [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)];
  for (let i = 0; i < n; i++) {
    const policy = new kplus.NetworkPolicy(chart, `team-${i}`, {
      metadata: { namespace: `team-${i}` },
      selector: i % 2 === 0
        ? kplus.Pods.select(chart, `team-${i}-pods`, { expressions: [kplus.LabelExpression.in('tier', ['api', 'worker'])], labels: { app: `svc-${i % 50}` } })
        : kplus.Pods.all(chart, `team-${i}-pods`),
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    policy.addEgressRule(dns, dnsPorts);
    for (const rule of zoneRules(i, m)) {
      const ports = rule.ports.map(plusPort);
      const peers = rule.shared !== undefined ? catalog[rule.shared]
        : rule.cidrs!.map((c, j) => c.includes(':')
          ? kplus.NetworkPolicyIpBlock.ipv6(policy, `${rule.id}-${j}`, c)
          : kplus.NetworkPolicyIpBlock.ipv4(policy, `${rule.id}-${j}`, c));
      for (const peer of peers) policy.addEgressRule(peer, ports);
    }
  }
  return app;
}
