import { AllowListMaps, allowListMaps } from './allow-list-maps';
import { ZoneConfig } from '../../datapath';
import { NftSet } from '../shared/nft-table-swap';
import { PROBE_MAGIC } from '../shared/probe-frame';

/**
 * The IPv6 half of the gateway's table (gateway-ruleset.ts holds the IPv4 half and the chains both share): per zone,
 * the IPv6 allow-list as hash maps per prefix length (allow-list-maps.ts, `z<id>_l6_<len>`), declared in the same
 * NftRuleset as the IPv4 ones so a change is an in-place delta too, looked up in the zone's chain beside the IPv4
 * ones (a rule matching `ip6 daddr` never matches an IPv4 packet, nor `ip daddr` an IPv6 one, so the chain's final
 * drop stays the zone's one verdict for both families); the IPv6 probes' passage, and SNAT to the replica's IPv6
 * egress IP. Sets: `probe_reply6` where node agents' IPv6 probes may return.
 */
export interface Ipv6Gateway {
  /** The IPv6 egress IP this replica holds; undefined: it forwards no IPv6. */
  readonly egressIp?: string;
  /** IPv6 ranges the nodes' IPv6 probes come from and return to. */
  readonly probeReplyTo: string[];
}

/** The zone's IPv6 allow-list maps and their class chains (shared with the IPv4 classes of the same key). */
export function ipv6AllowListMaps(z: ZoneConfig): AllowListMaps {
  return allowListMaps(z, `z${z.id}_allowed`, 'ip6');
}

/** Declares the zone's IPv6 maps (`declare`); returns its IPv6 lookups for the zone's chain (before the drop). */
export function ipv6ZoneLines(list: AllowListMaps, ref: (set: string) => string, declare: (name: string, set: NftSet) => void): string[] {
  for (const [name, m] of list.maps) declare(name, m);
  return list.lookups(ref).map((r) => `    ${r}`);
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
