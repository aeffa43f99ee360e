import { POD_NODE_TIMEOUT, replyMark, ReplyTunnel, replyTable, REPLY_PLACEHOLDER_MAC, REPLY_TABLE } from './reply-tunnel';
import { DataPathConfig, ZoneConfig } from '../../datapath';
import { MarkRule, TableRoute } from '../shared/net-state';
import { REPLY_NEXTHOP_V6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/**
 * The IPv6 replies' way back through the tunnel they came in, the twin of reply-tunnel.ts: the tunnel's ingress hook
 * learns client pod IPv6 address → node MAC (`pod_node6`), a de-SNATed IPv6 reply gets the zone's reply mark from its
 * conntrack mark (the inet table's rule is family-blind) and an IPv6 rule routes it into the zone's tunnel towards
 * REPLY_NEXTHOP_V6, whose permanent neighbour entry carries the placeholder MAC the egress hook overwrites. The underlay
 * stays IPv4: the FDB learned from the request carries the reply to its node. Returns the IPv4 parts with the IPv6 ones.
 */
export function addIpv6Replies(config: DataPathConfig, zones: ZoneConfig[], v4: ReplyTunnel): ReplyTunnel {
  const t = REPLY_TABLE;
  const n = config.node;
  // Appended to the IPv4 script: the maps first, then each zone's rules at the end of its chains (after the IPv4 ones,
  // which match IPv4 frames only), in the same transaction.
  const L = [
    `add map netdev ${t} pod_node6 { type ipv6_addr : ether_addr; size 65536; flags dynamic,timeout; timeout ${POD_NODE_TIMEOUT}; }`,
    `add set netdev ${t} pairs6 { type ipv6_addr . ether_addr; size 65536; flags dynamic,timeout; timeout ${POD_NODE_TIMEOUT}; }`,
  ];
  for (const z of zones) {
    L.push(
      `add rule netdev ${t} in_${z.vni} ether type ip6 ip6 saddr . ether saddr != @pairs6 delete @pod_node6 { ip6 saddr : ether saddr }`,
      `add rule netdev ${t} in_${z.vni} ether type ip6 update @pod_node6 { ip6 saddr : ether saddr } update @pairs6 { ip6 saddr . ether saddr }`,
      `add rule netdev ${t} out_${z.vni} ether type ip6 ether daddr set ip6 daddr map @pod_node6 update @pod_node6 { ip6 daddr : ether daddr } accept`,
      `add rule netdev ${t} out_${z.vni} ether type ip6 counter name replies_unpaired drop`,
    );
  }
  const dev = (z: ZoneConfig) => tunnelDeviceName(z.vni!);
  return {
    nft: v4.nft + L.join('\n') + '\n',
    neighbors: [...v4.neighbors, ...zones.map((z) => ({ dev: dev(z), ip: REPLY_NEXTHOP_V6, mac: REPLY_PLACEHOLDER_MAC }))],
    routes: [...v4.routes, ...zones.map((z): TableRoute => ({ table: replyTable(config, z), kind: 'via', via: REPLY_NEXTHOP_V6, dev: dev(z), family: 6 }))],
    rules: [...v4.rules, ...zones.map((z): MarkRule => ({
      priority: n.rulePriority, mark: replyMark(config, z), mask: n.markMask, table: replyTable(config, z), family: 6,
    }))],
  };
}
