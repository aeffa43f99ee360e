import { ZoneConfig } from '../../datapath';
import { PROBE_MAGIC } from '../shared/probe-frame';
import { isIpv6 } from '../shared/tunnel-ipv6';

/**
 * The IPv6 half of the gateway's table (gateway-ruleset.ts holds the IPv4 half and the chains both share): per zone,
 * the IPv6 allow-list as interval sets checked in the zone's chain beside the IPv4 ones (a rule matching `ip6 daddr`
 * never matches an IPv4 packet, nor `ip daddr` an IPv6 one, so the chain's final drop stays the zone's one verdict for
 * both families), the IPv6 probes' passage, and SNAT to the replica's IPv6 egress IP.
 *
 * Sets: `z<id>_ports6` is `ipv6_addr . inet_proto . inet_service` (intervals on address and port), `z<id>_any6`,
 * `z<id>_icmp6` (ICMPv6), `probe_reply6` where node agents' IPv6 probes may return.
 */
export interface Ipv6Gateway {
  /** The IPv6 egress IP this replica holds; undefined: it forwards no IPv6. */
  readonly egressIp?: string;
  /** IPv6 ranges the nodes' IPv6 probes come from and return to. */
  readonly probeReplyTo: string[];
}

/** Adds the zone's IPv6 sets; returns its IPv6 lines for the zone's chain (before the drop). */
export function ipv6ZoneLines(z: ZoneConfig, ref: (set: string) => string, set: (name: string, type: string, elements: string[]) => void): string[] {
  const allow = z.allow.filter((a) => isIpv6(a.cidr));
  const ports = allow.filter((a) => a.protocol === 'tcp' || a.protocol === 'udp')
    .flatMap((a) => (a.ports.length ? a.ports : ['0-65535']).map((p) => `${a.cidr} . ${a.protocol} . ${p}`));
  set(`z${z.id}_ports6`, 'ipv6_addr . inet_proto . inet_service', ports);
  set(`z${z.id}_any6`, 'ipv6_addr', allow.filter((a) => a.protocol === 'any').map((a) => a.cidr));
  set(`z${z.id}_icmp6`, 'ipv6_addr', allow.filter((a) => a.protocol === 'icmp').map((a) => a.cidr));
  return [
    `    ip6 daddr . meta l4proto . th dport ${ref(`z${z.id}_ports6`)} counter name z${z.id}_allowed accept`,
    `    ip6 daddr ${ref(`z${z.id}_any6`)} counter name z${z.id}_allowed accept`,
    `    meta l4proto ipv6-icmp ip6 daddr ${ref(`z${z.id}_icmp6`)} counter name z${z.id}_allowed accept`,
  ];
}

/** The forward chain's IPv6 lines: the IPv6 probes pass; without an IPv6 egress IP no IPv6 leaves (never a pod's own address). */
export function ipv6ForwardLines(v6: Ipv6Gateway, probePort: number, ref: (set: string) => string,
  set: (name: string, type: string, elements: string[]) => void): string[] {
  set('probe_reply6', 'ipv6_addr', v6.probeReplyTo);
  const out: string[] = [];
  if (!v6.egressIp) out.push(`    meta nfproto ipv6 iifname ${ref('tunnels')} drop`);
  out.push(`    iifname ${ref('tunnels')} ip6 daddr ${ref('probe_reply6')} udp dport ${probePort} @th,64,32 0x${PROBE_MAGIC.toString(16)} counter name probes accept`);
  return out;
}

/** The postrouting chain's IPv6 SNAT. */
export function ipv6SnatLines(v6: Ipv6Gateway, ref: (set: string) => string): string[] {
  return v6.egressIp ? [`    iifname ${ref('tunnels')} snat ip6 to ${v6.egressIp}`] : [];
}
