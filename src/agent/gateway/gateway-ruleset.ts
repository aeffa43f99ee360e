import { Ipv6Gateway, ipv6ForwardLines, ipv6SnatLines, ipv6ZoneLines } from './gateway-ruleset-ipv6';
import { ZoneConfig } from '../../datapath';
import { NftRuleset, NftSet } from '../shared/nft-table-swap';
import { PROBE_MAGIC } from '../shared/probe-frame';
import { isIpv6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/** The gateway agent's nftables table (inet family); nothing outside it is touched. */
export const GATEWAY_NFT_TABLE = 'cdk8s_egress_gw';

/**
 * The gateway's table: per zone, its allow-list as interval sets (a lookup costs the same for 10
 * prefixes or 10,000) checked on every packet from the zone's tunnel, counters for what passed and
 * what was dropped, the zone id in the conntrack mark (active-flow metrics), and SNAT to the egress IP.
 *
 * Sets: `z<id>_ports` is `ipv4_addr . inet_proto . inet_service` with intervals on both the address
 * and the port (kernel >= 5.6, "pipapo"); `z<id>_any` addresses open to every protocol;
 * `z<id>_icmp` addresses open to ICMP; `probe_reply` where node agents' data-path probes may return.
 */
/** The node agents' data-path probes this table forwards: to these ranges, on this UDP port (probe-frame.ts). */
export interface ProbePassage { readonly port: number; readonly replyTo: string[] }

/**
 * The gateway's table: its sets (the allow-lists), counters and chains. The agent applies it with
 * planTableSwap (sets built beside the running ones, then the chains switched onto them: no moment
 * where a rule looks up a set whose elements are not there yet, and no slow in-place deletes).
 */
export function renderGatewayRuleset(zones: ZoneConfig[], egressIp: string | undefined, probe: ProbePassage, v6?: Ipv6Gateway): NftRuleset {
  const sets = new Map<string, NftSet>();
  const counters: string[] = [];
  const body = (ref: (set: string) => string) => renderTable(zones, egressIp, probe, ref, new Map(), [], v6);
  const bodyOwnNames = renderTable(zones, egressIp, probe, (n) => `@${n}`, sets, counters, v6);
  const chains = [...bodyOwnNames.matchAll(/^ {2}chain (\S+) \{/gm)].map((m) => m[1]);
  return { family: 'inet', table: GATEWAY_NFT_TABLE, sets, counters, chains, body };
}

/** Counters and chains (the lines inside the table block); the sets go into `sets`, the counters' names into `counters`. */
function renderTable(zones: ZoneConfig[], egressIp: string | undefined, probe: ProbePassage,
  ref: (set: string) => string, sets: Map<string, NftSet>, counters: string[], v6?: Ipv6Gateway): string {
  const L: string[] = [];
  const set = (name: string, type: string, elements: string[], interval = true) => {
    sets.set(name, { type, interval, elements: [...new Set(elements)] });
  };
  const counter = (name: string, comment: string) => {
    counters.push(name);
    L.push(`  counter ${name} {`, `    comment "${comment}"`, '  }');
  };
  for (const z of zones) {
    // IPv4 entries here; a gateway with IPv6 egress IPs has its IPv6 entries in the IPv6 sets (gateway-ruleset-ipv6.ts).
    const allow = z.allow.filter((a) => !isIpv6(a.cidr));
    const ports = allow.filter((a) => a.protocol === 'tcp' || a.protocol === 'udp')
      .flatMap((a) => (a.ports.length ? a.ports : ['0-65535']).map((p) => `${a.cidr} . ${a.protocol} . ${p}`));
    set(`z${z.id}_ports`, 'ipv4_addr . inet_proto . inet_service', ports);
    set(`z${z.id}_any`, 'ipv4_addr', allow.filter((a) => a.protocol === 'any').map((a) => a.cidr));
    set(`z${z.id}_icmp`, 'ipv4_addr', allow.filter((a) => a.protocol === 'icmp').map((a) => a.cidr));
    for (const c of ['allowed', 'dropped']) counter(`z${z.id}_${c}`, `zone ${z.name}`);
  }
  set('probe_reply', 'ipv4_addr', probe.replyTo.filter((c) => !isIpv6(c)));
  counter('probes', 'node agents\' data-path probes forwarded');
  set('tunnels', 'ifname', zones.map((z) => `"${tunnelDeviceName(z.vni!)}"`), false);
  for (const z of zones) {
    L.push(`  chain zone_${z.id} {`);
    L.push(`    ct state new ct mark set ${z.id}`);
    L.push(`    ip daddr . meta l4proto . th dport ${ref(`z${z.id}_ports`)} counter name z${z.id}_allowed accept`);
    L.push(`    ip daddr ${ref(`z${z.id}_any`)} counter name z${z.id}_allowed accept`);
    L.push(`    meta l4proto icmp ip daddr ${ref(`z${z.id}_icmp`)} counter name z${z.id}_allowed accept`);
    if (v6) L.push(...ipv6ZoneLines(z, ref, set));
    L.push(`    counter name z${z.id}_dropped drop`, '  }');
  }
  L.push('  chain forward {', '    type filter hook forward priority filter - 10; policy accept;');
  // Without an egress IP nothing leaves: never forward a pod's own address.
  if (!egressIp) L.push(`    ${v6 ? 'meta nfproto ipv4 ' : ''}iifname ${ref('tunnels')} drop`);
  if (v6) L.push(...ipv6ForwardLines(v6, probe.port, ref, set));
  // A node agent's probe (its own address to itself, magic first word): forwarded and SNATed like zone
  // traffic, so its answer means this replica forwards. Nothing else from a tunnel reaches the cluster.
  L.push(`    iifname ${ref('tunnels')} ip daddr ${ref('probe_reply')} udp dport ${probe.port} @th,64,32 0x${PROBE_MAGIC.toString(16)} counter name probes accept`);
  if (zones.length) L.push(`    iifname vmap { ${zones.map((z) => `"${tunnelDeviceName(z.vni!)}" : jump zone_${z.id}`).join(', ')} }`);
  L.push('  }');
  L.push('  chain postrouting {', '    type nat hook postrouting priority srcnat - 10; policy accept;');
  if (egressIp) L.push(`    iifname ${ref('tunnels')} snat ip to ${egressIp}`);
  if (v6) L.push(...ipv6SnatLines(v6, ref));
  L.push('  }');
  return L.join('\n') + '\n';
}
