// Packet marks are bit fields.
/* eslint-disable no-bitwise */
import { DataPathConfig, ZoneConfig } from '../../datapath';
import { Kernel } from '../shared/kernel';
import { depositBits } from '../shared/mark-bits';
import { MarkRule, Neighbor, TableRoute } from '../shared/net-state';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/** The gateway's reply-tunnel tables (netdev: the learned pod → node map; inet: the reply marks). */
export const REPLY_TABLE = 'cdk8s_egress_gw_reply';
/**
 * The next hop replies are routed to on a zone's tunnel: an address nobody holds, whose permanent neighbour entry
 * carries a placeholder MAC the egress hook overwrites with the client's node MAC.
 */
export const REPLY_NEXTHOP = '169.254.0.1';
export const REPLY_PLACEHOLDER_MAC = '02:65:00:00:00:00';
/** How long a learned pod → node pairing lives without a packet in either direction. */
export const POD_NODE_TIMEOUT = '1h';
/** Ageing of the node MACs the tunnels learn (seconds): the probes refresh them every probe interval. */
export const LEARNED_NODE_AGEING_S = 3600;

/**
 * Replies return through the tunnel they came in (as Calico Enterprise's egress gateway does), so the gateway
 * node's Felix sees only VXLAN between the node and the replica's own address, and every node's conntrack sees both
 * directions of each flow. How the replica knows the way back, in the kernel alone (no agent on the packet path):
 * - every frame from a node's tunnel carries that node's tunnel MAC as its source: the tunnel's FDB learns
 *   MAC → node address (VXLAN learning), and the ingress hook learns client pod → node MAC (`pod_node`);
 * - a reply, de-SNATed, gets the zone's reply mark from its conntrack mark (the zone id the ruleset set), which
 *   routes it into the zone's tunnel towards REPLY_NEXTHOP; the tunnel's egress hook rewrites the placeholder
 *   destination MAC to the client's node MAC, and the FDB sends it to that node, which decapsulates it;
 * - the mark is cleared after routing: the VXLAN driver routes the outer packet with the inner packet's mark.
 * A pairing follows the pod's last packet from the tunnel, and expires POD_NODE_TIMEOUT after its last packet in
 * either direction.
 */
export interface ReplyTunnel {
  /** The netdev table, added to (never replaced: the learned pairs stay), plus the inet table, replaced. */
  readonly nft: string;
  readonly neighbors: Neighbor[];
  readonly routes: TableRoute[];
  readonly rules: MarkRule[];
}

/** The reply mark of a zone inside the gateway's own network namespace (the same bits as the node agent's). */
export function replyMark(config: DataPathConfig, zone: ZoneConfig): number {
  return depositBits(zone.id, config.node.markMask);
}

export function replyTable(config: DataPathConfig, zone: ZoneConfig): number {
  return config.node.routeTableBase + zone.id;
}

export function renderReplyTunnel(config: DataPathConfig, zones: ZoneConfig[], tunnel: { podIp: string; port: number }): ReplyTunnel {
  const n = config.node;
  const t = REPLY_TABLE;
  const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
  const L: string[] = [`add table netdev ${t}`,
    `add map netdev ${t} pod_node { type ipv4_addr : ether_addr; size 65536; flags dynamic,timeout; timeout ${POD_NODE_TIMEOUT}; }`,
    `add set netdev ${t} pairs { type ipv4_addr . ether_addr; size 65536; flags dynamic,timeout; timeout ${POD_NODE_TIMEOUT}; }`,
    `add counter netdev ${t} replies_unpaired`];
  for (const z of zones) {
    const dev = tunnelDeviceName(z.vni!);
    L.push(`add chain netdev ${t} in_${z.vni} { type filter hook ingress device "${dev}" priority 0; policy accept; }`,
      `flush chain netdev ${t} in_${z.vni}`,
      // Kernel quirk: `update` refreshes an element but keeps its data, so a pod seen behind another node MAC
      // (a pod address reused elsewhere, a node's tunnel recreated) first loses its old pairing.
      `add rule netdev ${t} in_${z.vni} ether type ip ip saddr . ether saddr != @pairs delete @pod_node { ip saddr : ether saddr }`,
      `add rule netdev ${t} in_${z.vni} ether type ip update @pod_node { ip saddr : ether saddr } update @pairs { ip saddr . ether saddr }`,
      `add chain netdev ${t} out_${z.vni} { type filter hook egress device "${dev}" priority 0; policy accept; }`,
      `flush chain netdev ${t} out_${z.vni}`,
      `add rule netdev ${t} out_${z.vni} ether type ip ether daddr set ip daddr map @pod_node update @pod_node { ip daddr : ether daddr } accept`,
      // No pairing (expired, or never learned): the placeholder MAC has no FDB entry; count it rather than guess.
      `add rule netdev ${t} out_${z.vni} ether type ip counter name replies_unpaired drop`);
  }
  L.push(`table inet ${t} {}`, `delete table inet ${t}`, `table inet ${t} {`, '  counter replies {', '  }');
  L.push('  chain prerouting {', '    type filter hook prerouting priority dstnat + 10; policy accept;');
  if (zones.length) {
    L.push(`    ct direction reply ct mark { ${zones.map((z) => z.id).join(', ')} } counter name replies meta mark set ct mark map { ${zones.map((z) => `${z.id} : ${hex(replyMark(config, z))}`).join(', ')} }`);
  }
  L.push('  }', '  chain postrouting {', '    type filter hook postrouting priority srcnat + 10; policy accept;');
  if (zones.length) L.push(`    oifname { ${zones.map((z) => `"${tunnelDeviceName(z.vni!)}"`).join(', ')} } meta mark set meta mark and ${hex(~n.markMask >>> 0)}`);
  // Kernel quirk: the encapsulated reply leaves by ip_output with the tunnel as its input device, so the ruleset's
  // `iifname @tunnels snat` would rewrite the outer source to the egress IP; bind it to the pod's own address first.
  L.push('  }', '  chain outer_source {', '    type nat hook postrouting priority srcnat - 20; policy accept;');
  if (zones.length) L.push(`    ip saddr ${tunnel.podIp} udp dport ${tunnel.port} snat ip to ip saddr`);
  L.push('  }', '}');
  return {
    nft: L.join('\n') + '\n',
    neighbors: zones.map((z) => ({ dev: tunnelDeviceName(z.vni!), ip: REPLY_NEXTHOP, mac: REPLY_PLACEHOLDER_MAC })),
    routes: zones.map((z) => ({ table: replyTable(config, z), kind: 'via', via: REPLY_NEXTHOP, dev: tunnelDeviceName(z.vni!) })),
    rules: zones.map((z) => ({ priority: n.rulePriority, mark: replyMark(config, z), mask: n.markMask, table: replyTable(config, z) })),
  };
}

/**
 * Applies the reply tunnel's tables in one transaction. The netdev table is added to: its map keeps what it learned
 * across agent restarts and configuration changes. Its chains are deleted and added again in the same transaction.
 * Kernel quirk: a netdev chain outlives the device it hooks (a tunnel deleted and created again under the same name,
 * by us or by a new sandbox), and adding it again with the new device fails; deleting it first always works.
 */
export async function applyReplyTunnel(kernel: Kernel, desired: ReplyTunnel): Promise<void> {
  // Names only (`nft -t`): the full listing would print every learned pair of the map.
  const present = (await kernel.listNftObjects('netdev', REPLY_TABLE))?.chains ?? [];
  await kernel.applyNft(present.map((c) => `delete chain netdev ${REPLY_TABLE} ${c}\n`).join('') + desired.nft);
}
