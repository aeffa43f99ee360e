import { ZoneConfig } from '../../datapath';
import { PROBE_MAGIC } from '../shared/probe-frame';
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
 * The table as one replacing script (`nft`), plus what an allow-list change needs: the same script
 * without set elements (`skeleton`) and each set's elements. Two rulesets with equal skeletons
 * differ only in set elements, so the running table can be updated in place (renderSetDelta).
 */
export interface GatewayRuleset {
  readonly nft: string;
  readonly skeleton: string;
  readonly sets: ReadonlyMap<string, readonly string[]>;
}

export function renderGatewayRuleset(zones: ZoneConfig[], egressIp: string | undefined, probe: ProbePassage): GatewayRuleset {
  const sets = new Map<string, string[]>();
  const full = renderTable(zones, egressIp, probe, sets, true);
  return { nft: full, skeleton: renderTable(zones, egressIp, probe, new Map(), false), sets };
}

/**
 * One nft transaction that turns the running table's sets from `from` into `to` (deletions first:
 * an interval may not overlap one that is still there), or undefined when they are equal. Only the
 * changed elements cross to the kernel, the rest of the table (rules, counters, other elements) is
 * untouched; conntrack does not notice.
 */
export interface SetDelta { readonly nft: string; readonly added: number; readonly removed: number }

export function renderSetDelta(from: ReadonlyMap<string, readonly string[]>, to: ReadonlyMap<string, readonly string[]>): SetDelta | undefined {
  const t = GATEWAY_NFT_TABLE;
  const dels: string[] = [];
  const adds: string[] = [];
  let added = 0;
  let removed = 0;
  for (const [name, next] of to) {
    const before = new Set(from.get(name) ?? []);
    const after = new Set(next);
    const gone = [...before].filter((e) => !after.has(e));
    const come = next.filter((e) => !before.has(e));
    added += come.length;
    removed += gone.length;
    if (gone.length) dels.push(`delete element inet ${t} ${name} { ${gone.join(', ')} }`);
    if (come.length) adds.push(`add element inet ${t} ${name} { ${come.join(', ')} }`);
  }
  return dels.length + adds.length ? { nft: [...dels, ...adds].join('\n') + '\n', added, removed } : undefined;
}

function renderTable(zones: ZoneConfig[], egressIp: string | undefined, probe: ProbePassage,
  sets: Map<string, string[]>, withElements: boolean): string {
  const t = GATEWAY_NFT_TABLE;
  const L: string[] = [`table inet ${t} {}`, `delete table inet ${t}`, `table inet ${t} {`];
  const set = (name: string, type: string, elements: string[]) => {
    const unique = [...new Set(elements)];
    sets.set(name, unique);
    L.push(`  set ${name} {`, `    type ${type}`, '    flags interval');
    if (withElements && unique.length) L.push(`    elements = { ${unique.join(', ')} }`);
    L.push('  }');
  };
  for (const z of zones) {
    const ports = z.allow.filter((a) => a.protocol === 'tcp' || a.protocol === 'udp')
      .flatMap((a) => (a.ports.length ? a.ports : ['0-65535']).map((p) => `${a.cidr} . ${a.protocol} . ${p}`));
    set(`z${z.id}_ports`, 'ipv4_addr . inet_proto . inet_service', ports);
    set(`z${z.id}_any`, 'ipv4_addr', z.allow.filter((a) => a.protocol === 'any').map((a) => a.cidr));
    set(`z${z.id}_icmp`, 'ipv4_addr', z.allow.filter((a) => a.protocol === 'icmp').map((a) => a.cidr));
    for (const c of ['allowed', 'dropped']) L.push(`  counter z${z.id}_${c} {`, `    comment "zone ${z.name}"`, '  }');
  }
  set('probe_reply', 'ipv4_addr', probe.replyTo);
  L.push('  counter probes {', '    comment "node agents\' data-path probes forwarded"', '  }');
  L.push('  set tunnels {', '    type ifname');
  if (zones.length) L.push(`    elements = { ${zones.map((z) => `"${tunnelDeviceName(z.vni!)}"`).join(', ')} }`);
  L.push('  }');
  for (const z of zones) {
    L.push(`  chain zone_${z.id} {`);
    L.push(`    ct state new ct mark set ${z.id}`);
    L.push(`    ip daddr . meta l4proto . th dport @z${z.id}_ports counter name z${z.id}_allowed accept`);
    L.push(`    ip daddr @z${z.id}_any counter name z${z.id}_allowed accept`);
    L.push(`    meta l4proto icmp ip daddr @z${z.id}_icmp counter name z${z.id}_allowed accept`);
    L.push(`    counter name z${z.id}_dropped drop`, '  }');
  }
  L.push('  chain forward {', '    type filter hook forward priority filter - 10; policy accept;');
  // Without an egress IP nothing leaves: never forward a pod's own address.
  if (!egressIp) L.push('    iifname @tunnels drop');
  // A node agent's probe (its own address to itself, magic first word): forwarded and SNATed like zone
  // traffic, so its answer means this replica forwards. Nothing else from a tunnel reaches the cluster.
  L.push(`    iifname @tunnels ip daddr @probe_reply udp dport ${probe.port} @th,64,32 0x${PROBE_MAGIC.toString(16)} counter name probes accept`);
  if (zones.length) L.push(`    iifname vmap { ${zones.map((z) => `"${tunnelDeviceName(z.vni!)}" : jump zone_${z.id}`).join(', ')} }`);
  L.push('  }');
  L.push('  chain postrouting {', '    type nat hook postrouting priority srcnat - 10; policy accept;');
  if (egressIp) L.push(`    iifname @tunnels snat ip to ${egressIp}`);
  L.push('  }', '}');
  return L.join('\n') + '\n';
}
