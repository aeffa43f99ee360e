import { GatewayDomainRuleConfig, ZoneConfig } from '../../datapath';
import { isIpv6 } from '../shared/tunnel-ipv6';

/**
 * Domain rules through the gateway (docs/domain-names.md "Through a gateway"): the gateway never sees the zone's DNS,
 * so it holds no addresses for them. Per zone with domain rules, a chain `zd_<id>` (jumped to from the zone's chain
 * after its allow-list, before its drop) accepts the rules' ports to every external address, counted as the zone's
 * allowed traffic. What it trusts: that the zone's tunnel carries only what the source node's agent let in, i.e. new
 * connections to addresses a pod of that zone looked up (the node's learned-address gate runs before encapsulation),
 * exactly as it already trusts the tunnel for the zone's identity. Cluster ranges are never admitted (sets
 * `domain_cluster`, `domain_cluster6`), and IPv6 only when the gateway forwards IPv6.
 */
export interface GatewayDomainChains {
  /** The `zd_<id>` chains (their lines, inside the table block). */
  readonly chains: string[];
  /** The zone chain's line before its drop (none for a zone without domain rules). */
  jump(zone: ZoneConfig): string[];
}

/**
 * Declares the sets (`set`) and returns the chains; nothing at all when no zone of the gateway has domain rules.
 * `cluster`: every cluster range (pods, services, nodes; both families).
 */
export function gatewayDomainChains(zones: ZoneConfig[], cluster: string[], ipv6: boolean,
  ref: (set: string) => string, set: (name: string, type: string, elements: string[]) => void): GatewayDomainChains {
  const withRules = zones.filter((z) => (z.domainRules ?? []).length > 0);
  if (withRules.length === 0) return { jump: () => [], chains: [] };
  set('domain_cluster', 'ipv4_addr', cluster.filter((x) => !isIpv6(x)));
  const cluster6 = cluster.filter(isIpv6);
  if (ipv6) set('domain_cluster6', 'ipv6_addr', cluster6);
  const family = ipv6 ? '' : 'meta nfproto ipv4 ';
  const chains: string[] = [];
  for (const z of withRules) {
    chains.push(`  chain zd_${z.id} {`, `    ip daddr ${ref('domain_cluster')} return`);
    if (ipv6) chains.push(`    ip6 daddr ${ref('domain_cluster6')} return`);
    for (const r of z.domainRules!) chains.push(`    ${family}${portMatch(r)}counter name z${z.id}_allowed accept`);
    chains.push('  }');
  }
  return { jump: (z) => ((z.domainRules ?? []).length ? [`    jump zd_${z.id}`] : []), chains };
}

function portMatch(r: GatewayDomainRuleConfig): string {
  if (r.protocol === 'any') return '';
  if (r.ports.length === 0) return `meta l4proto ${r.protocol} `;
  return `${r.protocol} dport { ${r.ports.join(', ')} } `;
}
