import { AllowListMaps, allowListMaps } from './allow-list-maps';
import { gatewayDomainChains } from './gateway-domain-rules';
import { Ipv6Gateway, ipv6AllowListMaps, ipv6ForwardLines, ipv6SnatLines, ipv6ZoneLines } from './gateway-ruleset-ipv6';
import { ZoneConfig } from '../../datapath';
import { NftRuleset, NftSet } from '../shared/nft-table-swap';
import { PROBE_MAGIC } from '../shared/probe-frame';
import { isIpv6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/** The gateway agent's nftables table (inet family); nothing outside it is touched. */
export const GATEWAY_NFT_TABLE = 'cdk8s_egress_gw';

/** The node agents' data-path probes this table forwards: to these ranges, on this UDP port (probe-frame.ts). */
export interface ProbePassage { readonly port: number; readonly replyTo: string[] }

/**
 * The gateway's table: per zone, its allow-list (allow-list-maps.ts: one hash map per prefix length,
 * whose entries jump to the prefix's port-class chain) checked on every packet from the zone's tunnel,
 * counters for what passed and what was dropped, the zone id in the conntrack mark (active-flow
 * metrics), and SNAT to the egress IP. Sets: `z<id>_l<len>` the allow-list's IPv4 entries (with `v6`, its IPv6
 * ones in `z<id>_l6_<len>`, gateway-ruleset-ipv6.ts), `tunnels` the zones'
 * devices, `probe_reply` where node agents' data-path probes may return. The agent applies it with
 * planTableSwap: an allow-list change is an in-place element change of the maps it touches; interval
 * sets are built beside the running ones, then the chains switched onto them.
 */
export function renderGatewayRuleset(zones: ZoneConfig[], egressIp: string | undefined, probe: ProbePassage, v6?: Ipv6Gateway,
  cluster: string[] = []): NftRuleset {
  const sets = new Map<string, NftSet>();
  const counters: string[] = [];
  const lists = zones.map((z) => ({ v4: allowListMaps(z, `z${z.id}_allowed`), v6: v6 ? ipv6AllowListMaps(z) : undefined }));
  const t = { zones, lists, egressIp, probe, cluster };
  const body = (ref: (set: string) => string) => renderTable(t, ref, new Map(), [], v6);
  const bodyOwnNames = renderTable(t, (n) => `@${n}`, sets, counters, v6);
  const chains = [...bodyOwnNames.matchAll(/^ {2}chain (\S+) \{/gm)].map((m) => m[1]);
  return { family: 'inet', table: GATEWAY_NFT_TABLE, sets, counters, chains, body };
}

/** A zone's allow-list maps: IPv4, and IPv6 when the gateway forwards IPv6. */
interface ZoneLists { readonly v4: AllowListMaps; readonly v6?: AllowListMaps }

/** What the table is rendered from: the zones, their allow-lists, the replica's egress IP, the probes' passage, the cluster ranges. */
interface TableInputs {
  readonly zones: ZoneConfig[];
  readonly lists: ZoneLists[];
  readonly egressIp: string | undefined;
  readonly probe: ProbePassage;
  readonly cluster: string[];
}

/** Counters and chains (the lines inside the table block); the sets go into `sets`, the counters' names into `counters`. */
function renderTable(t: TableInputs, ref: (set: string) => string, sets: Map<string, NftSet>, counters: string[], v6?: Ipv6Gateway): string {
  const { zones, lists, egressIp, probe } = t;
  const L: string[] = [];
  const set = (name: string, type: string, elements: string[], interval = true) => {
    sets.set(name, { type, interval, elements: [...new Set(elements)] });
  };
  const counter = (name: string, comment: string) => {
    counters.push(name);
    L.push(`  counter ${name} {`, `    comment "${comment}"`, '  }');
  };
  zones.forEach((z, i) => {
    for (const [name, m] of lists[i].v4.maps) sets.set(name, m);
    for (const c of ['allowed', 'dropped']) counter(`z${z.id}_${c}`, `zone ${z.name}`);
  });
  set('probe_reply', 'ipv4_addr', probe.replyTo.filter((c) => !isIpv6(c)));
  counter('probes', 'node agents\' data-path probes forwarded');
  set('tunnels', 'ifname', zones.map((z) => `"${tunnelDeviceName(z.vni!)}"`), false);
  const domains = gatewayDomainChains(zones, t.cluster, v6 !== undefined, ref, set);
  L.push(...domains.chains);
  zones.forEach((z, i) => {
    const { v4, v6: list6 } = lists[i];
    // A class of the same key is the same chain (same rules) for both families: declared once.
    const classes = new Map([...v4.classes, ...(list6?.classes ?? [])]);
    for (const [name, rules] of classes) L.push(`  chain ${name} {`, ...rules.map((r) => `    ${r}`), '  }');
    L.push(`  chain zone_${z.id} {`);
    L.push(`    ct state new ct mark set ${z.id}`);
    for (const r of v4.lookups(ref)) L.push(`    ${r}`);
    if (list6) L.push(...ipv6ZoneLines(list6, ref, (name, m) => sets.set(name, m)));
    L.push(...domains.jump(z), `    counter name z${z.id}_dropped drop`, '  }');
  });
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
