import { DataPathConfig, DomainEnforcementConfig } from '../../datapath';
import { ZonePod } from '../shared/observed-state';
import { isIpv6 } from '../shared/tunnel-ipv6';

/**
 * The DNS table's IPv6 half (docs/domain-names.md), rendered into the same table as the IPv4 one (dns-ruleset.ts):
 * zone pods' IPv6 addresses go to their zone's chain through `pod_zone6`, where the learned `d6_` sets and the
 * zone's IPv6 addresses are already matched. Their IPv6 DNS goes to the proxy's IPv6 address (`domains.proxy6`,
 * version 5). Without `proxy6` (an older document) the IPv6 gate still applies: their domain-rule ports stay
 * closed over IPv6, never open.
 */

/** The IPv6 sets: cluster ranges, the zone pods' IPv6 addresses, and the map to their zones' chains. */
export function ipv6Sets(config: DataPathConfig, pods: ZonePod[], ids: Map<string, number>): string[] {
  const c = config.cluster;
  const cluster = [...c.podCidrs, ...c.serviceCidrs, ...c.nodeCidrs].filter(isIpv6);
  const mine = [...new Map(pods.filter((p) => ids.has(p.zone) && isIpv6(p.ip)).map((p) => [p.ip, p])).values()];
  const L = ['  set cluster6 {', '    type ipv6_addr', '    flags interval'];
  if (cluster.length) L.push(`    elements = { ${cluster.join(', ')} }`);
  L.push('  }', '  set dns_pods6 {', '    type ipv6_addr');
  if (mine.length) L.push(`    elements = { ${mine.map((p) => p.ip).join(', ')} }`);
  L.push('  }', '  map pod_zone6 {', '    type ipv6_addr : verdict');
  if (mine.length) L.push(`    elements = { ${mine.map((p) => `${p.ip} : jump dz_${ids.get(p.zone)}`).join(', ')} }`);
  L.push('  }');
  return L;
}

/** In the nat prerouting chain: zone pods' IPv6 queries to the proxy's IPv6 address (same port). */
export function ipv6Redirect(d: DomainEnforcementConfig): string[] {
  if (!d.proxy6) return [];
  return [`    ip6 saddr @dns_pods6 meta l4proto { udp, tcp } th dport 53 dnat ip6 to [${d.proxy6.address}]:${d.proxy.port}`];
}

/** In the forward chain: a zone pod's new IPv6 connection goes to its zone's chain. */
export const IPV6_GATE = '    ct state new ip6 saddr vmap @pod_zone6';

/** First in each zone's chain: in-cluster IPv6 destinations are not the gate's business. */
export const IPV6_CLUSTER_RETURN = '    ip6 daddr @cluster6 return';
