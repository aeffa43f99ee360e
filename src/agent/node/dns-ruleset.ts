import { LearnedElement, learnedSetNames } from './dns-learned-sets';
import { IPV6_CLUSTER_RETURN, IPV6_GATE, ipv6Redirect, ipv6Sets } from './dns-ruleset-ipv6';
import { DataPathConfig, DomainEnforcementConfig, DomainRuleConfig } from '../../datapath';
import { ZonePod } from '../shared/observed-state';
import { isIpv6 } from '../shared/tunnel-ipv6';

/** The DNS enforcement's own nftables table (inet): never touched by the node ruleset's swaps. */
export const DNS_NFT_TABLE = 'cdk8s_egress_dns';

/**
 * The whole DNS table as one `nft -f` script (add; delete; table {…}: one atomic replacement), with the learned
 * elements and their remaining timeouts, so a re-render loses nothing (docs/domain-names.md).
 * - nat prerouting at dstnat - 10: zone pods' port-53 traffic to the proxy. Before kube-proxy's DNAT (dstnat),
 *   which would otherwise bind the connection first (later NAT chains of a hook see only unbound connections).
 * - filter forward at filter - 5: a zone pod's new connection goes to its zone's chain; on a domain rule's ports an
 *   external address passes only from the rule's learned set (or the zone's address rules). Only `ct state new`
 *   looks: established connections outlive their address's expiry.
 */
export function renderDnsRuleset(config: DataPathConfig, pods: ZonePod[], learned: LearnedElement[]): string {
  const d = config.domains;
  const L: string[] = [`table inet ${DNS_NFT_TABLE} {}`, `delete table inet ${DNS_NFT_TABLE}`, `table inet ${DNS_NFT_TABLE} {`];
  const set = (name: string, type: string, elements: string[], flags?: string) => {
    L.push(`  set ${name} {`, `    type ${type}`);
    if (flags) L.push(`    flags ${flags}`);
    if (elements.length) L.push(`    elements = { ${elements.join(', ')} }`);
    L.push('  }');
  };
  const c = config.cluster;
  set('cluster4', 'ipv4_addr', [...c.podCidrs, ...c.serviceCidrs, ...c.nodeCidrs].filter((x) => !isIpv6(x)), 'interval');
  const zones = (d?.zones ?? []).map((dz) => ({ dz, id: config.zones.find((z) => z.name === dz.zone)!.id }));
  const ids = new Map(zones.map((z) => [z.dz.zone, z.id]));
  // IPv4 here; a dual-stack pod's IPv6 address is in the IPv6 half (dns-ruleset-ipv6.ts).
  const mine = [...new Map(pods.filter((p) => ids.has(p.zone) && !isIpv6(p.ip)).map((p) => [p.ip, p])).values()];
  set('dns_pods', 'ipv4_addr', mine.map((p) => p.ip));
  L.push('  map pod_zone {', '    type ipv4_addr : verdict');
  if (mine.length) L.push(`    elements = { ${mine.map((p) => `${p.ip} : jump dz_${ids.get(p.zone)}`).join(', ')} }`);
  L.push('  }', ...ipv6Sets(config, pods, ids));
  const bySet = new Map<string, string[]>();
  for (const e of learned) bySet.set(e.set, [...(bySet.get(e.set) ?? []), `${e.ip} timeout ${e.timeoutSeconds}s`]);
  for (const { dz, id } of zones) {
    set(`static4_${id}`, 'ipv4_addr', dz.addresses.filter((a) => !a.includes(':')), 'interval');
    set(`static6_${id}`, 'ipv6_addr', dz.addresses.filter((a) => a.includes(':')), 'interval');
    dz.rules.forEach((_, i) => {
      const n = learnedSetNames(id, i);
      set(n.v4, 'ipv4_addr', bySet.get(n.v4) ?? [], 'timeout');
      set(n.v6, 'ipv6_addr', bySet.get(n.v6) ?? [], 'timeout');
    });
    L.push(`  counter dropped_${id} {`, '  }');
  }
  if (d) {
    L.push('  chain dns_redirect {', '    type nat hook prerouting priority dstnat - 10; policy accept;');
    L.push(`    ip saddr @dns_pods meta l4proto { udp, tcp } th dport 53 dnat ip to ${d.proxy.address}:${d.proxy.port}`, ...ipv6Redirect(d), '  }');
    L.push(...localServerChains(d));
  }
  L.push('  chain forward {', '    type filter hook forward priority filter - 5; policy accept;');
  L.push('    ct state new ip saddr vmap @pod_zone', IPV6_GATE, '  }');
  for (const { dz, id } of zones) {
    L.push(`  chain dz_${id} {`, '    ip daddr @cluster4 return', IPV6_CLUSTER_RETURN, `    ip daddr @static4_${id} return`, `    ip6 daddr @static6_${id} return`);
    dz.rules.forEach((r, i) => {
      const n = learnedSetNames(id, i);
      L.push(`    ${portMatch(r)}ip daddr @${n.v4} return`, `    ${portMatch(r)}ip6 daddr @${n.v6} return`);
    });
    // Every domain rule's ports, once each: what is left on them is not a looked-up address.
    for (const m of [...new Set(dz.rules.map(portMatch))]) L.push(`    ${m}counter name dropped_${id} drop`);
    L.push('  }');
  }
  L.push('}');
  return L.join('\n') + '\n';
}

/**
 * NodeLocal DNSCache NOTRACKs its addresses in raw prerouting (priority raw), so the DNAT never sees queries to
 * them. Before it, a zone pod's query to such an address is rewritten statelessly to the proxy on the port that
 * stands for the address (conntrack then tracks pod → proxy); after NAT, the proxy's reply from that port gets the
 * address and port 53 back. Replies of DNATed queries are already un-NATed by then, so they never match.
 */
function localServerChains(d: DomainEnforcementConfig): string[] {
  const servers = d.localServers ?? [];
  if (servers.length === 0) return [];
  const L = ['  chain dns_local_query {', '    type filter hook prerouting priority raw - 10; policy accept;'];
  for (const s of servers) {
    for (const p of ['udp', 'tcp']) L.push(`    ip saddr @dns_pods ip daddr ${s.address} ${p} dport 53 ip daddr set ${d.proxy.address} ${p} dport set ${s.port}`);
  }
  L.push('  }', '  chain dns_local_reply {', '    type filter hook postrouting priority srcnat + 10; policy accept;');
  for (const s of servers) {
    for (const p of ['udp', 'tcp']) L.push(`    ip saddr ${d.proxy.address} ip daddr @dns_pods ${p} sport ${s.port} ip saddr set ${s.address} ${p} sport set 53`);
  }
  L.push('  }');
  return L;
}

function portMatch(r: DomainRuleConfig): string {
  if (r.protocol === 'any') return '';
  if (r.ports.length === 0) return `meta l4proto ${r.protocol} `;
  return `${r.protocol} dport { ${r.ports.join(', ')} } `;
}

/**
 * `add element` then `delete` then `add`, in one transaction: present with the new timeout, never absent (nft 1.0.6
 * has no way to update an element's timeout in place).
 */
export function learnedElementCommands(elements: LearnedElement[]): string[] {
  return elements.flatMap((e) => {
    const el = `inet ${DNS_NFT_TABLE} ${e.set} { ${e.ip} timeout ${e.timeoutSeconds}s }`;
    return [`add element ${el}`, `delete element inet ${DNS_NFT_TABLE} ${e.set} { ${e.ip} }`, `add element ${el}`];
  });
}

/** The same as an `nft -f` script. */
export function learnedElementsScript(elements: LearnedElement[]): string {
  return learnedElementCommands(elements).map((c) => `${c}\n`).join('');
}

/** Learned elements from `nft -j list table inet cdk8s_egress_dns` (what survives an agent restart). */
export function learnedFromKernel(json: string): LearnedElement[] {
  const out: LearnedElement[] = [];
  for (const item of JSON.parse(json).nftables ?? []) {
    const s = item.set;
    if (!s || !/^d[46]_\d+_\d+$/.test(s.name)) continue;
    for (const e of s.elem ?? []) {
      const el = e.elem ?? e;
      const ip = typeof el === 'string' ? el : el.val;
      const expires = typeof el === 'object' ? el.expires ?? el.timeout : undefined;
      if (typeof ip === 'string' && typeof expires === 'number' && expires > 0) out.push({ set: s.name, ip, timeoutSeconds: expires });
    }
  }
  return out;
}
