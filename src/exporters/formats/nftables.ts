import { aggregate, ofFamily } from '../addresses';
import { FirewallAddress, FirewallExportInput, FirewallPort, FirewallRule } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, platformName, ruleSummary } from '../platform-text';
import { netfilterPortGroups } from './netfilter-ports';
import { addressRules, KERNEL_FILTER_CAPABILITIES, PlatformExporter } from './platform-exporter';

const TABLE = 'cdk8s_egress';
// nft limits user comments to 128 bytes.
const COMMENT_MAX = 128;
// Protocols nft names (meta l4proto tcp); any other is matched by its number.
const PROTOCOL_NAMED = ['tcp', 'udp', 'sctp', 'icmp'];
const SET_NAME = { maxLength: 63, invalid: /[^a-z0-9_]+/g, replacement: '_' };

/**
 * nftables: one `inet` table for all zones (zones may share source addresses, so their rules must be
 * evaluated together), interval sets per rule, counters on every rule, and a default drop for every zone
 * source. The forward chain's policy stays accept: traffic from addresses no zone owns is not ours.
 * The file owns its table alone and replaces it atomically (`nft -f`); it never flushes the ruleset.
 */
export class NftablesExporter extends PlatformExporter {
  constructor() {
    super('nftables', KERNEL_FILTER_CAPABILITIES);
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const sets: string[] = [];
    const rules: string[] = [];
    for (const zone of input.zones) {
      rules.push(`\t\t# zone ${zone.name}${zone.description ? `: ${platformComment(zone.description, 200, /[\n]/g)}` : ''} (${zone.exitMode})`);
      for (const rule of addressRules(zone)) {
        const src = setName(rule, 'src');
        const dst = setName(rule, 'dst');
        sets.push(set(src, rule.ipVersion, rule.sources), set(dst, rule.ipVersion, rule.destinations));
        const ip = rule.ipVersion === 4 ? 'ip' : 'ip6';
        const comment = platformComment(ruleSummary(rule), COMMENT_MAX);
        for (const l4 of l4Matches(rule.ports)) {
          rules.push(`\t\t${ip} saddr @${src} ${ip} daddr @${dst}${l4 ? ` ${l4}` : ''} counter accept comment "${comment}"`);
        }
      }
    }
    const denyLines: string[] = [];
    for (const family of [4, 6]) {
      const all = aggregate(input.zones.flatMap(z => ofFamily(z.sources, family)));
      if (all.length === 0) continue;
      const name = `zone_sources_v${family}`;
      sets.push(set(name, family, all));
      const ip = family === 4 ? 'ip' : 'ip6';
      denyLines.push(`\t\t${ip} saddr @${name} counter drop comment "default deny for zone sources"`);
    }
    const lines = [
      '#!/usr/sbin/nft -f',
      '# cdk8s-egress perimeter export (nftables). Generated from the egress model; do not edit by hand.',
      `# Zones: ${input.zones.map(z => z.name).join(', ') || 'none'}.`,
      `# Owns only the table inet ${TABLE}: it never flushes the ruleset or touches another table. Its accept decides`,
      '# nothing for other tables (only a drop is final), so it only drops zone traffic the model does not allow.',
      '# Load with: nft -f egress.nft',
      `# Remove with: nft delete table inet ${TABLE}`,
      '# The next two lines make each load one atomic replace of the table, also the first (create it if missing,',
      '# delete it, add it anew): nft before 1.0.8 has no "destroy table".',
      `table inet ${TABLE}`,
      `delete table inet ${TABLE}`,
      `table inet ${TABLE} {`,
      ...sets,
      '\tchain forward {',
      '\t\ttype filter hook forward priority filter; policy accept;',
      '\t\tct state established,related accept',
      ...rules,
      ...denyLines,
      '\t}',
      '}',
      '',
    ];
    return [{ path: 'egress.nft', content: lines.join('\n') }];
  }
}

function setName(rule: FirewallRule, what: string): string {
  return platformName(`${rule.id}_${what}`, SET_NAME);
}

function set(name: string, family: number, addresses: FirewallAddress[]): string {
  const elements = addresses.map(a => {
    const text = a.descriptions.join('; ');
    return `\t\t\t${a.cidr}${text ? ` comment "${platformComment(text, COMMENT_MAX)}"` : ''},`;
  });
  return [
    `\tset ${name} {`,
    `\t\ttype ${family === 4 ? 'ipv4_addr' : 'ipv6_addr'}`,
    '\t\tflags interval',
    '\t\telements = {',
    ...elements,
    '\t\t}',
    '\t}',
  ].join('\n');
}

/** One layer-4 match per protocol group; "" when every protocol is allowed. */
export function l4Matches(ports: FirewallPort[]): string[] {
  const groups = netfilterPortGroups(ports);
  if (!groups) return [''];
  const out: string[] = [];
  for (const { protocol, match, ports: list } of groups) {
    if (match === 'protocol') {
      const l4 = protocol === 'icmpv6' ? 'ipv6-icmp' : PROTOCOL_NAMED.includes(protocol) ? protocol : list[0].protocolNumber;
      out.push(`meta l4proto ${l4}`);
    } else if (match === 'ports') {
      const items = list.map(p => p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}-${p.toPort}`);
      out.push(`${protocol} dport ${items.length === 1 ? items[0] : `{ ${items.join(', ')} }`}`);
    } else {
      for (const p of list) {
        out.push(`${protocol} type ${p.icmpType}${p.icmpCode !== undefined ? ` ${protocol} code ${p.icmpCode}` : ''}`);
      }
    }
  }
  return out;
}
