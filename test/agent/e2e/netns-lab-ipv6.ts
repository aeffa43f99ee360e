/**
 * IPv6 on top of the namespace lab (netns-lab.ts): the underlay stays IPv4 (nodes 198.18.<n>.2, gateway pods
 * 10.201.100.1<i>), and every other party gets an IPv6 address too:
 * - pods fd00:10:201:<n>::<x>/128 beside their IPv4 address, default via the host side's fe80::1 (Calico style);
 * - nodes fd00:198:18:<n>::2/64 (their IPv6 probes answer there), default via the router;
 * - gateway replicas hold the IPv6 egress IP 2001:db8:e::<i>, default via the router's fe80::1;
 * - the external server 2001:db8:19::10 (allowed) and 2001:db8:19::20 (not allowed), which counts every IPv6 packet
 *   from a cluster range (must stay 0 when denied or failing closed), every one to the denied address but neighbour
 *   discovery, and those from the IPv6 egress IPs. Its IPv6 UDP socket is bound to the allowed address: the kernel
 *   would answer from the newest address of the /64 otherwise (the denied one, here).
 * Addresses skip duplicate address detection (nodad): they are usable at once.
 */
import { labConfig, NetnsLab, nsx, SERVER_ALLOWED } from './netns-lab';

export const SERVER6_ALLOWED = '2001:db8:19::10';
export const SERVER6_DENIED = '2001:db8:19::20';
export const egressIp6 = (i: number) => `2001:db8:e::${i}`;
export const podIp6 = (n: number, x: number) => `fd00:10:201:${n}::${x}`;

/** Adds the IPv6 addresses and routes to a created lab (after `lab.create()`). */
export function addIpv6(lab: NetnsLab): void {
  const p = lab.opts.prefix;
  const r = lab.ns('r');
  const x = lab.ns('x');
  nsx(r, 'sysctl -qw net.ipv6.conf.all.forwarding=1');
  nsx(r, `ip -6 addr add 2001:db8:19::1/64 dev ${p}rx nodad`);
  nsx(x, `ip -6 addr add ${SERVER6_ALLOWED}/64 dev eth0 nodad`);
  nsx(x, `ip -6 addr add ${SERVER6_DENIED}/64 dev eth0 nodad`);
  nsx(x, 'ip -6 route add default via 2001:db8:19::1');
  nsx(x, `nft -f - <<'EOF'
table inet egress_test_capture6 {
  counter from_cluster6 {
  }
  counter to_denied6 {
  }
  counter from_egress_ips6 {
  }
  chain input {
    type filter hook input priority 0; policy accept;
    ip6 saddr fd00::/8 counter name from_cluster6
    ip6 daddr ${SERVER6_DENIED} meta l4proto != ipv6-icmp counter name to_denied6
    ip6 saddr 2001:db8:e::/64 counter name from_egress_ips6
  }
}
EOF`);
  for (const n of [1, 2]) {
    const node = lab.ns(`n${n}`);
    nsx(r, `ip -6 addr add fd00:198:18:${n}::1/64 dev ${p}rn${n} nodad`);
    nsx(node, `ip -6 addr add fd00:198:18:${n}::2/64 dev eth0 nodad`);
    nsx(node, `ip -6 route add default via fd00:198:18:${n}::1`);
    nsx(node, 'sysctl -qw net.ipv6.conf.all.forwarding=1');
    nsx(r, `ip -6 route add fd00:10:201:${n}::/64 via fd00:198:18:${n}::2`);
  }
  for (let i = 1; i <= lab.opts.gateways; i++) {
    const g = lab.ns(`g${i}`);
    nsx(r, `ip -6 addr add fe80::1/64 dev ${p}rg${i} nodad`);
    nsx(g, `ip -6 addr add ${egressIp6(i)}/128 dev eth0 nodad`);
    nsx(g, 'ip -6 route add default via fe80::1 dev eth0');
    nsx(r, `ip -6 route add ${egressIp6(i)}/128 dev ${p}rg${i}`);
  }
}

/** After `lab.reviveGatewayNetwork(i)`: the router's IPv6 side of the replica's link (a link down drops its IPv6 address and routes). */
export function reviveGatewayIpv6(lab: NetnsLab, i: number): void {
  const r = lab.ns('r');
  const dev = `${lab.opts.prefix}rg${i}`;
  nsx(r, `ip -6 addr replace fe80::1/64 dev ${dev} nodad`);
  nsx(r, `ip -6 route replace ${egressIp6(i)}/128 dev ${dev}`);
}

/** Gives a pod made by `lab.addPod` an IPv6 address as well (Calico style: /128, default via the host side's link-local). */
export function addPodIpv6(lab: NetnsLab, n: number, name: string, ip: string): void {
  const node = lab.ns(`n${n}`);
  const pod = lab.ns(name);
  const hostEnd = `${lab.opts.prefix}${name}h`;
  nsx(node, `ip -6 addr add fe80::1/64 dev ${hostEnd} nodad`);
  nsx(pod, `ip -6 addr add ${ip}/128 dev eth0 nodad`);
  nsx(pod, 'ip -6 route add default via fe80::1 dev eth0');
  nsx(node, `ip -6 route add ${ip}/128 dev ${hostEnd}`);
}

/** The lab's data-path document as version 2: IPv6 cluster ranges, IPv6 egress IPs, each zone's IPv6 destinations. */
export function labConfigV6(lab: NetnsLab, overrides: Parameters<typeof labConfig>[1] = {}): any {
  const c = labConfig(lab, overrides);
  c.version = 2;
  c.cluster.podCidrs.push('fd00:10:201::/48');
  c.cluster.nodeCidrs.push('fd00:198:18::/48');
  c.gateways[0].egressIps.push(...Array.from({ length: lab.opts.gateways }, (_, i) => egressIp6(i + 1)));
  c.zones[0].allow.push(
    { cidr: `${SERVER6_ALLOWED}/128`, protocol: 'udp', ports: ['9000'], description: 'test server udp (IPv6)' },
    { cidr: `${SERVER6_ALLOWED}/128`, protocol: 'tcp', ports: ['8080-8081'], description: 'test server tcp (IPv6)' },
    { cidr: `${SERVER6_ALLOWED}/128`, protocol: 'icmp', ports: [] },
  );
  c.zones[1].allow.push({ cidr: '2001:db8:19::/64', protocol: 'any', ports: [] });
  return c;
}

/** The server's IPv6 capture counters (packets), beside netns-lab's IPv4 ones. */
export function serverCounts6(lab: NetnsLab): { fromCluster6: number; toDenied6: number; fromEgressIps6: number } {
  const j = JSON.parse(nsx(lab.ns('x'), 'nft -j list counters table inet egress_test_capture6'));
  const get = (name: string) => j.nftables.find((o: any) => o.counter?.name === name).counter.packets as number;
  return { fromCluster6: get('from_cluster6'), toDenied6: get('to_denied6'), fromEgressIps6: get('from_egress_ips6') };
}

export { SERVER_ALLOWED };
