import { ZoneConfig } from '../../datapath';
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
 * `z<id>_icmp` addresses open to ICMP.
 */
export function renderGatewayRuleset(zones: ZoneConfig[], egressIp: string | undefined): string {
  const t = GATEWAY_NFT_TABLE;
  const L: string[] = [`table inet ${t} {}`, `delete table inet ${t}`, `table inet ${t} {`];
  const set = (name: string, type: string, elements: string[]) => {
    L.push(`  set ${name} {`, `    type ${type}`, '    flags interval');
    if (elements.length) L.push(`    elements = { ${elements.join(', ')} }`);
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
  if (zones.length) L.push(`    iifname vmap { ${zones.map((z) => `"${tunnelDeviceName(z.vni!)}" : jump zone_${z.id}`).join(', ')} }`);
  L.push('  }');
  L.push('  chain postrouting {', '    type nat hook postrouting priority srcnat - 10; policy accept;');
  if (egressIp) L.push(`    iifname @tunnels snat ip to ${egressIp}`);
  L.push('  }', '}');
  return L.join('\n') + '\n';
}
