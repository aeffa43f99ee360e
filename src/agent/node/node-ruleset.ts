// Packet and conntrack marks are bit fields.
/* eslint-disable no-bitwise */
import { FIRST_PIN, markValue, PinSlot } from './mark-layout';
import { declareIpv6Sets, ipv6RulesetLines } from './node-ipv6-steering';
import { DataPathConfig, ZoneConfig } from '../../datapath';
import { NftRuleset, NftSet } from '../shared/nft-table-swap';
import { ZonePod } from '../shared/observed-state';
import { isIpv6, steersIpv6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/** The node agent's nftables table (inet family); nothing outside it is touched. */
export const NODE_NFT_TABLE = 'cdk8s_egress_node';

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * The egress-nat agent's nftables table: its sets and maps, its counter and its chains. The agent
 * applies it with planTableSwap (nft-table-swap.ts), not by replacing the table in one transaction:
 * a pod or replica change edits the `pod_zone` and `pins_out` maps in place next to the chains' refill,
 * and the interval sets (`cluster`, `nogw_<id>`) are built beside the running ones when they change, so
 * no rule ever looks up a set whose elements are not published yet (the quirk that dropped the gateway's
 * packets: a table replaced in one transaction, as this one was on every pod change, could read `cluster`
 * empty for a moment and steer a zone pod's in-cluster packet into the tunnel; not measured here), and
 * `leak_blocked` keeps counting. The table has no allow-list: its sets are the node's zone pods, the
 * cluster ranges and the direct routes, small enough that rebuilding them costs little.
 *
 * Kernel quirks handled here:
 * - Marking runs at priority dstnat+10, after kube-proxy/Calico DNAT, so a Service or
 *   LoadBalancer address already reads as its in-cluster backend and is never steered.
 * - The VXLAN driver routes the *outer* packet with the inner skb->mark; postrouting clears our
 *   mark bits on tunnel-bound packets, otherwise the outer packet would loop back into the tunnel.
 * - nft needs a newline (not `;`) before a chain's closing brace, and `snat` is a keyword, hence
 *   one statement per line and the chain name nat_pools.
 */
export function renderNodeRuleset(config: DataPathConfig, pods: ZonePod[], slots: PinSlot[]): NftRuleset {
  const sets = new Map<string, NftSet>();
  const set = (name: string, type: string, elements: string[], interval = false) => {
    sets.set(name, { type, interval, elements: [...new Set(elements)] });
  };
  const c = config.cluster;
  const gwZones = config.zones.filter((z) => z.gateway);
  // IPv4 here; a version-2 document's IPv6 ranges and pods go to the IPv6 sets and lines (node-ipv6-steering.ts).
  const v4 = (list: string[]) => list.filter((x) => !isIpv6(x));
  set('cluster', 'ipv4_addr', v4([...c.podCidrs, ...c.serviceCidrs, ...c.nodeCidrs]), true);
  set('tunnels', 'ifname', gwZones.map((z) => `"${tunnelDeviceName(z.vni!)}"`));
  const zoneByName = new Map(gwZones.map((z) => [z.name, z]));
  set('pod_zone', 'ipv4_addr : verdict', [...new Map(pods.filter((p) => zoneByName.has(p.zone) && !isIpv6(p.ip)).map((p) => [p.ip, p])).values()]
    .map((p) => `${p.ip} : jump zone_${zoneByName.get(p.zone)!.id}`));
  set('pins_out', 'ifname . ipv4_addr : verdict', slots.map((s) => `"${tunnelDeviceName(s.vni)}" . ${s.ip} : jump pinout_${s.slot}`));
  for (const z of gwZones) if (v4(z.noGateway).length) set(`nogw_${z.id}`, 'ipv4_addr', v4(z.noGateway), true);
  declareIpv6Sets(config, pods, slots, set);
  const body = (ref: (set: string) => string) => renderChains(config, gwZones, slots, ref);
  const chains = [...body((n) => `@${n}`).matchAll(/^ {2}chain (\S+) \{/gm)].map((m) => m[1]);
  return { family: 'inet', table: NODE_NFT_TABLE, sets, counters: ['leak_blocked'], chains, body };
}

/** The counter and the chains (the lines inside the table block), each set referred to as ref(name). */
function renderChains(config: DataPathConfig, gwZones: ZoneConfig[], slots: PinSlot[], ref: (set: string) => string): string {
  const mask = config.node.markMask >>> 0;
  const keep = hex(~mask >>> 0);
  const L: string[] = ['  counter leak_blocked {', '  }'];
  const v6 = ipv6RulesetLines(config, `${hex(mask)} < ${hex(markValue(config, FIRST_PIN))}`, ref);
  for (const z of gwZones) {
    const mine = slots.filter((s) => s.zone === z);
    L.push(`  chain zone_${z.id} {`);
    if (z.noGateway.some((x) => !isIpv6(x))) L.push(`    ip daddr ${ref(`nogw_${z.id}`)} return`);
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
  L.push(`    ip daddr ${ref('cluster')} return`, `    ip saddr vmap ${ref('pod_zone')}`, ...v6.prerouting, '  }');
  // Fail closed, belt and braces: a steered packet that would leave by any other device than a
  // tunnel (no route in its table, a race with a table change) is dropped and counted.
  L.push('  chain forward {', '    type filter hook forward priority filter - 10; policy accept;');
  L.push(`    meta mark and ${hex(mask)} != 0 oifname != ${ref('tunnels')} counter name leak_blocked drop`);
  // The tunnel costs 50 bytes: clamp steered TCP connections' MSS to the tunnel's route MTU so full-size
  // segments are not fragmented on the underlay (measured: fragmentation cut throughput to 0.15 of plain).
  L.push(`    oifname ${ref('tunnels')} tcp flags syn tcp option maxseg size set rt mtu`, '  }');
  // Record which replica the resilient group chose, in the conntrack mark, only for packets the group
  // routed (zone mark, not a pin): from then on the flow follows its pin. Kernel quirk: the group's
  // hash is not stable within a flow: with an L4 hash already on the skb (TCP sockets set one from
  // sk_txhash, which they re-roll on retransmits) the kernel reuses it, so two packets of one TCP
  // connection can pick different members; the pin makes the first choice stick. Then clear the
  // packet mark before encapsulation.
  L.push('  chain postrouting {', '    type filter hook postrouting priority srcnat - 10; policy accept;');
  L.push(`    oifname != ${ref('tunnels')} return`);
  L.push(`    meta mark and ${hex(mask)} < ${hex(markValue(config, FIRST_PIN))} oifname . rt ip nexthop vmap ${ref('pins_out')}`, ...v6.postrouting);
  L.push(`    meta mark set meta mark and ${keep}`, '  }');

  const pools = config.natPools.filter((p) => p.snatAddress);
  L.push('  chain nat_pools {', '    type nat hook postrouting priority srcnat - 5; policy accept;');
  // Steered traffic keeps the pod's address into the tunnel (the gateway's allow-list and metrics see the pod,
  // replies come back by the tunnel's peer). Kernel rule: later NAT chains of this hook (Calico's natOutgoing
  // MASQUERADE, kube-proxy's) are consulted only while a new connection has no source binding, so bind it
  // to its own address here first (a null SNAT). Without it Felix masquerades the pod to the node's address.
  L.push(`    oifname ${ref('tunnels')} snat ip to ip saddr`, ...v6.nat, `    ip daddr ${ref('cluster')} return`);
  for (const p of pools) {
    const except = p.noNatCidrs.length ? ` ip daddr != { ${p.noNatCidrs.join(', ')} }` : '';
    L.push(`    ip saddr ${p.cidr}${except} snat ip to ${p.snatAddress}`);
  }
  L.push('  }');
  return L.join('\n') + '\n';
}
