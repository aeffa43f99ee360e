// Packet and conntrack marks are bit fields.
/* eslint-disable no-bitwise */
import { FIRST_PIN, markValue, PinSlot } from './mark-layout';
import { ipv6RulesetLines } from './node-ipv6-steering';
import { DataPathConfig } from '../../datapath';
import { ZonePod } from '../shared/observed-state';
import { isIpv6, steersIpv6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/** The node agent's nftables table (inet family); nothing outside it is touched. */
export const NODE_NFT_TABLE = 'cdk8s_egress_node';

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * The egress-nat agent's whole nftables table as one script. Applied with `nft -f`, the
 * "add table; delete table; table {...}" prologue replaces the table in a single atomic
 * transaction (nft 1.0.6 has no `destroy`), and nothing outside the table is touched.
 *
 * Kernel quirks handled here:
 * - Marking runs at priority dstnat+10, after kube-proxy/Calico DNAT, so a Service or
 *   LoadBalancer address already reads as its in-cluster backend and is never steered.
 * - The VXLAN driver routes the *outer* packet with the inner skb->mark; postrouting clears our
 *   mark bits on tunnel-bound packets, otherwise the outer packet would loop back into the tunnel.
 * - nft needs a newline (not `;`) before a chain's closing brace, and `snat` is a keyword, hence
 *   one statement per line and the chain name nat_pools.
 */
export function renderNodeRuleset(config: DataPathConfig, pods: ZonePod[], slots: PinSlot[]): string {
  const mask = config.node.markMask >>> 0;
  const keep = hex(~mask >>> 0);
  const L: string[] = [];
  const set = (name: string, type: string, elements: string[], interval = false) => {
    L.push(`  set ${name} {`, `    type ${type}`);
    if (interval) L.push('    flags interval');
    if (elements.length) L.push(`    elements = { ${elements.join(', ')} }`);
    L.push('  }');
  };
  const c = config.cluster;
  const gwZones = config.zones.filter((z) => z.gateway);
  // IPv4 here; a version-2 document's IPv6 ranges and pods go to the IPv6 lines (node-ipv6-steering.ts).
  const v4 = (list: string[]) => list.filter((x) => !isIpv6(x));
  const v6 = ipv6RulesetLines(config, pods, slots, `${hex(mask)} < ${hex(markValue(config, FIRST_PIN))}`);

  L.push(`table inet ${NODE_NFT_TABLE} {}`, `delete table inet ${NODE_NFT_TABLE}`, `table inet ${NODE_NFT_TABLE} {`);
  set('cluster', 'ipv4_addr', v4([...c.podCidrs, ...c.serviceCidrs, ...c.nodeCidrs]), true);
  set('tunnels', 'ifname', gwZones.map((z) => `"${tunnelDeviceName(z.vni!)}"`));
  const zoneByName = new Map(gwZones.map((z) => [z.name, z]));
  const podElems = [...new Map(pods.filter((p) => zoneByName.has(p.zone) && !isIpv6(p.ip)).map((p) => [p.ip, p])).values()]
    .map((p) => `${p.ip} : jump zone_${zoneByName.get(p.zone)!.id}`);
  L.push('  map pod_zone {', '    type ipv4_addr : verdict');
  if (podElems.length) L.push(`    elements = { ${podElems.join(', ')} }`);
  L.push('  }');
  L.push('  map pins_out {', '    type ifname . ipv4_addr : verdict');
  if (slots.length) L.push(`    elements = { ${slots.map((s) => `"${tunnelDeviceName(s.vni)}" . ${s.ip} : jump pinout_${s.slot}`).join(', ')} }`);
  L.push('  }');
  L.push('  counter leak_blocked {', '  }');
  L.push(...v6.declarations);

  for (const z of gwZones) {
    const direct = v4(z.noGateway);
    if (direct.length) set(`nogw_${z.id}`, 'ipv4_addr', direct, true);
    const mine = slots.filter((s) => s.zone === z);
    L.push(`  chain zone_${z.id} {`);
    if (direct.length) L.push(`    ip daddr @nogw_${z.id} return`);
    L.push(...v6.zoneHead(z));
    // Established flows stay with the live replica that carries them (pin in the conntrack mark);
    // goto, not jump: a jump would come back here and the zone mark would overwrite the pin.
    if (mine.length) {
      L.push(`    ct mark and ${hex(mask)} vmap { ${mine.map((s) => `${hex(markValue(config, FIRST_PIN + s.slot))} : goto pin_${s.slot}`).join(', ')} }`);
    }
    // Fail open: no ready replica (for a family), new flows (of that family) leave the normal way.
    const open = v6.failOpenFamilies(z, slots);
    const steers6 = steersIpv6(config, z);
    if (open.length === (steers6 ? 2 : 1) && z.failOpen) {
      L.push('    return');
    } else {
      for (const f of open) L.push(`    meta nfproto ipv${f} return`);
      L.push(`    meta mark set meta mark and ${keep} or ${hex(markValue(config, z.id))}`);
    }
    L.push('  }');
  }
  for (const s of slots) {
    const v = hex(markValue(config, FIRST_PIN + s.slot));
    L.push(`  chain pin_${s.slot} {`, `    meta mark set meta mark and ${keep} or ${v}`, '  }');
    L.push(`  chain pinout_${s.slot} {`, `    ct mark set ct mark and ${keep} or ${v}`, '  }');
  }

  L.push('  chain prerouting {', '    type filter hook prerouting priority dstnat + 10; policy accept;');
  L.push('    ip daddr @cluster return', '    ip saddr vmap @pod_zone', ...v6.prerouting, '  }');
  // Fail closed, belt and braces: a steered packet that would leave by any other device than a
  // tunnel (no route in its table, a race with a table change) is dropped and counted.
  L.push('  chain forward {', '    type filter hook forward priority filter - 10; policy accept;');
  L.push(`    meta mark and ${hex(mask)} != 0 oifname != @tunnels counter name leak_blocked drop`);
  // The tunnel costs 50 bytes: clamp steered TCP connections' MSS to the tunnel's route MTU so full-size
  // segments are not fragmented on the underlay (measured: fragmentation cut throughput to 0.15 of plain).
  L.push('    oifname @tunnels tcp flags syn tcp option maxseg size set rt mtu', '  }');
  // Record which replica the resilient group chose, in the conntrack mark, only for packets the group
  // routed (zone mark, not a pin): from then on the flow follows its pin. Kernel quirk: the group's
  // hash is not stable within a flow: with an L4 hash already on the skb (TCP sockets set one from
  // sk_txhash, which they re-roll on retransmits) the kernel reuses it, so two packets of one TCP
  // connection can pick different members; the pin makes the first choice stick. Then clear the
  // packet mark before encapsulation.
  L.push('  chain postrouting {', '    type filter hook postrouting priority srcnat - 10; policy accept;');
  L.push('    oifname != @tunnels return');
  L.push(`    meta mark and ${hex(mask)} < ${hex(markValue(config, FIRST_PIN))} oifname . rt ip nexthop vmap @pins_out`, ...v6.postrouting);
  L.push(`    meta mark set meta mark and ${keep}`, '  }');

  const pools = config.natPools.filter((p) => p.snatAddress);
  L.push('  chain nat_pools {', '    type nat hook postrouting priority srcnat - 5; policy accept;');
  // Steered traffic keeps the pod's address into the tunnel (the gateway's allow-list and metrics see the pod,
  // replies come back by the tunnel's peer). Kernel rule: later NAT chains of this hook (Calico's natOutgoing
  // MASQUERADE, kube-proxy's) are consulted only while a new connection has no source binding, so bind it
  // to its own address here first (a null SNAT). Without it Felix masquerades the pod to the node's address.
  L.push('    oifname @tunnels snat ip to ip saddr', ...v6.nat, '    ip daddr @cluster return');
  for (const p of pools) {
    const except = p.noNatCidrs.length ? ` ip daddr != { ${p.noNatCidrs.join(', ')} }` : '';
    L.push(`    ip saddr ${p.cidr}${except} snat ip to ${p.snatAddress}`);
  }
  L.push('  }', '}');
  return L.join('\n') + '\n';
}
