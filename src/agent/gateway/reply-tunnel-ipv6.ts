import { replyMark, replyTable, REPLY_PLACEHOLDER_MAC, REPLY_TABLE } from './reply-tunnel';
import { DataPathConfig, ZoneConfig } from '../../datapath';
import { MarkRule, Neighbor, TableRoute } from '../shared/net-state';
import { REPLY_NEXTHOP_V6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/**
 * The IPv6 replies' way back through the tunnel they came in, the twin of reply-tunnel.ts: the tunnel's ingress hook
 * learns client pod IPv6 address → node MAC (`pod_node6`), a de-SNATed IPv6 reply gets the zone's reply mark from its
 * conntrack mark (the inet table's rule is family-blind) and an IPv6 rule routes it into the zone's tunnel towards
 * REPLY_NEXTHOP_V6, whose permanent neighbour entry carries the placeholder MAC the egress hook overwrites. The underlay
 * stays IPv4: the FDB learned from the request carries the reply to its node.
 */
export function replyTunnelV6Maps(): string[] {
  const t = REPLY_TABLE;
  return [
    `add map netdev ${t} pod_node6 { type ipv6_addr : ether_addr; size 65536; flags dynamic,timeout; timeout 1h; }`,
    `add set netdev ${t} pairs6 { type ipv6_addr . ether_addr; size 65536; flags dynamic,timeout; timeout 1h; }`,
  ];
}

/** The IPv6 rules of a zone's ingress (learn) and egress (rewrite) chains, after the IPv4 ones. */
export function replyTunnelV6Rules(z: ZoneConfig): { ingress: string[]; egress: string[] } {
  const t = REPLY_TABLE;
  return {
    ingress: [
      `add rule netdev ${t} in_${z.vni} ether type ip6 ip6 saddr . ether saddr != @pairs6 delete @pod_node6 { ip6 saddr : ether saddr }`,
      `add rule netdev ${t} in_${z.vni} ether type ip6 update @pod_node6 { ip6 saddr : ether saddr } update @pairs6 { ip6 saddr . ether saddr }`,
    ],
    egress: [
      `add rule netdev ${t} out_${z.vni} ether type ip6 ether daddr set ip6 daddr map @pod_node6 update @pod_node6 { ip6 daddr : ether daddr } accept`,
      `add rule netdev ${t} out_${z.vni} ether type ip6 counter name replies_unpaired drop`,
    ],
  };
}

/** The IPv6 neighbour, table route and rule of each zone (the same table number and mark as the IPv4 ones). */
export function replyTunnelV6Net(config: DataPathConfig, zones: ZoneConfig[]): { neighbors: Neighbor[]; routes: TableRoute[]; rules: MarkRule[] } {
  const n = config.node;
  return {
    neighbors: zones.map((z) => ({ dev: tunnelDeviceName(z.vni!), ip: REPLY_NEXTHOP_V6, mac: REPLY_PLACEHOLDER_MAC })),
    routes: zones.map((z) => ({ table: replyTable(config, z), kind: 'via', via: REPLY_NEXTHOP_V6, dev: tunnelDeviceName(z.vni!), family: 6 })),
    rules: zones.map((z) => ({ priority: n.rulePriority, mark: replyMark(config, z), mask: n.markMask, table: replyTable(config, z), family: 6 })),
  };
}
