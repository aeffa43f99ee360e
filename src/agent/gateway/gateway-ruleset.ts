import { AllowListMaps, allowListMaps } from './allow-list-maps';
import { ZoneConfig } from '../../datapath';
import { NftRuleset, NftSet } from '../shared/nft-table-swap';
import { PROBE_MAGIC } from '../shared/probe-frame';
import { tunnelDeviceName } from '../shared/vxlan-mac';

/** The gateway agent's nftables table (inet family); nothing outside it is touched. */
export const GATEWAY_NFT_TABLE = 'cdk8s_egress_gw';

/** The node agents' data-path probes this table forwards: to these ranges, on this UDP port (probe-frame.ts). */
export interface ProbePassage { readonly port: number; readonly replyTo: string[] }

/**
 * The gateway's table: per zone, its allow-list (allow-list-maps.ts: one hash map per prefix length,
 * whose entries jump to the prefix's port-class chain) checked on every packet from the zone's tunnel,
 * counters for what passed and what was dropped, the zone id in the conntrack mark (active-flow
 * metrics), and SNAT to the egress IP. Sets: `z<id>_l<len>` the allow-list, `tunnels` the zones'
 * devices, `probe_reply` where node agents' data-path probes may return. The agent applies it with
 * planTableSwap: an allow-list change is an in-place element change of the maps it touches; interval
 * sets are built beside the running ones, then the chains switched onto them.
 */
export function renderGatewayRuleset(zones: ZoneConfig[], egressIp: string | undefined, probe: ProbePassage): NftRuleset {
  const sets = new Map<string, NftSet>();
  const counters: string[] = [];
  const lists = zones.map((z) => allowListMaps(z, `z${z.id}_allowed`));
  const body = (ref: (set: string) => string) => renderTable(zones, lists, egressIp, probe, ref, new Map(), []);
  const bodyOwnNames = renderTable(zones, lists, egressIp, probe, (n) => `@${n}`, sets, counters);
  const chains = [...bodyOwnNames.matchAll(/^ {2}chain (\S+) \{/gm)].map((m) => m[1]);
  return { family: 'inet', table: GATEWAY_NFT_TABLE, sets, counters, chains, body };
}

/** Counters and chains (the lines inside the table block); the sets go into `sets`, the counters' names into `counters`. */
function renderTable(zones: ZoneConfig[], lists: AllowListMaps[], egressIp: string | undefined, probe: ProbePassage,
  ref: (set: string) => string, sets: Map<string, NftSet>, counters: string[]): string {
  const L: string[] = [];
  const set = (name: string, type: string, elements: string[], interval = true) => {
    sets.set(name, { type, interval, elements: [...new Set(elements)] });
  };
  const counter = (name: string, comment: string) => {
    counters.push(name);
    L.push(`  counter ${name} {`, `    comment "${comment}"`, '  }');
  };
  zones.forEach((z, i) => {
    for (const [name, m] of lists[i].maps) sets.set(name, m);
    for (const c of ['allowed', 'dropped']) counter(`z${z.id}_${c}`, `zone ${z.name}`);
  });
  set('probe_reply', 'ipv4_addr', probe.replyTo);
  counter('probes', 'node agents\' data-path probes forwarded');
  set('tunnels', 'ifname', zones.map((z) => `"${tunnelDeviceName(z.vni!)}"`), false);
  zones.forEach((z, i) => {
    for (const [name, rules] of lists[i].classes) L.push(`  chain ${name} {`, ...rules.map((r) => `    ${r}`), '  }');
    L.push(`  chain zone_${z.id} {`);
    L.push(`    ct state new ct mark set ${z.id}`);
    for (const r of lists[i].lookups(ref)) L.push(`    ${r}`);
    L.push(`    counter name z${z.id}_dropped drop`, '  }');
  });
  L.push('  chain forward {', '    type filter hook forward priority filter - 10; policy accept;');
  // Without an egress IP nothing leaves: never forward a pod's own address.
  if (!egressIp) L.push(`    iifname ${ref('tunnels')} drop`);
  // A node agent's probe (its own address to itself, magic first word): forwarded and SNATed like zone
  // traffic, so its answer means this replica forwards. Nothing else from a tunnel reaches the cluster.
  L.push(`    iifname ${ref('tunnels')} ip daddr ${ref('probe_reply')} udp dport ${probe.port} @th,64,32 0x${PROBE_MAGIC.toString(16)} counter name probes accept`);
  if (zones.length) L.push(`    iifname vmap { ${zones.map((z) => `"${tunnelDeviceName(z.vni!)}" : jump zone_${z.id}`).join(', ')} }`);
  L.push('  }');
  L.push('  chain postrouting {', '    type nat hook postrouting priority srcnat - 10; policy accept;');
  if (egressIp) L.push(`    iifname ${ref('tunnels')} snat ip to ${egressIp}`);
  L.push('  }');
  return L.join('\n') + '\n';
}
