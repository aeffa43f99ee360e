import { aggregate, ofFamily, overlap } from '../addresses';
import { FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, ruleSummary } from '../platform-text';
import { netfilterPortGroups } from './netfilter-ports';
import { KERNEL_FILTER_CAPABILITIES, PlatformExporter } from './platform-exporter';

const CHAIN = 'CDK8S-EGRESS';
// xt_comment keeps at most 256 bytes; multiport takes at most 15 ports, a range counting as two.
const COMMENT_MAX = 255;
const MULTIPORT_MAX = 15;
// Protocols iptables names (-p tcp); any other is matched by its number.
const PROTOCOL_NAMED = ['tcp', 'udp', 'sctp', 'udplite', 'icmp', 'icmpv6'];

/**
 * iptables-restore, one file per family (`egress.rules.v4`, `egress.rules.v6`), without ipset: one rule
 * per (source prefix, destination prefix, protocol) with `multiport` for the ports. Addresses are
 * aggregated first, which keeps that product small.
 *
 * The file owns one chain and nothing else: it is loaded with `--noflush`, and its only chain line
 * (`:CDK8S-EGRESS`) flushes and refills that chain in one commit. It names no built-in chain, so no policy
 * and no other rule of the host changes. The chain only drops (zone sources to what the model does not
 * allow) and returns everything else, so, as with the nftables export, accepting stays the host's
 * decision. The one jump into the chain cannot be written idempotently in a restore file (a rule there is
 * appended unconditionally and `-C` would abort the commit), so the header's load line adds it with
 * `-C || -I`: one visible shell line, run verbatim by the tests, rather than a script to audit.
 */
export class IptablesExporter extends PlatformExporter {
  constructor() {
    super('iptables', KERNEL_FILTER_CAPABILITIES);
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    return [4, 6].map(family => ({ path: `egress.rules.v${family}`, content: renderFamily(input, family) }));
  }
}

function renderFamily(input: FirewallExportInput, family: number): string {
  const tool = family === 4 ? 'iptables' : 'ip6tables';
  const file = `egress.rules.v${family}`;
  const lines = [
    `# cdk8s-egress perimeter export (${tool}-restore, IPv${family}). Generated from the egress model; do not edit by hand.`,
    `# Zones: ${input.zones.map(z => z.name).join(', ') || 'none'}.`,
    `# Owns only the chain ${CHAIN} (flushed and refilled on each load) and one jump to it at the top of FORWARD.`,
    '# Sets no policy and changes no other rule: the chain drops zone traffic the model does not allow and returns the rest.',
    `# Load with: ${loadCommand(tool, file)}`,
    `# Remove with: ${tool} -D FORWARD -j ${CHAIN} && ${tool} -F ${CHAIN} && ${tool} -X ${CHAIN}`,
    '*filter',
    `:${CHAIN} - [0:0]`,
    `-A ${CHAIN} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`,
  ];
  for (const zone of input.zones) {
    for (const rule of zone.rules.filter(r => r.ipVersion === family)) {
      const comment = platformComment(ruleSummary(rule), COMMENT_MAX);
      for (const src of rule.sources) {
        for (const dst of rule.destinations) {
          for (const l4 of l4Matches(rule.ports, family)) {
            lines.push(`-A ${CHAIN} -s ${src.cidr} -d ${dst.cidr}${l4 ? ` ${l4}` : ''} -m comment --comment "${comment}" -j RETURN`);
          }
        }
      }
    }
  }
  const sources = aggregate(input.zones.flatMap(z => ofFamily(z.sources, family)));
  for (const src of sources) {
    const owners = input.zones.filter(z => overlap(ofFamily(z.sources, family), [src]).length > 0);
    lines.push(`-A ${CHAIN} -s ${src.cidr} -m comment --comment "${platformComment(`default deny: ${owners.map(z => z.name).join(', ')}`, COMMENT_MAX)}" -j DROP`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Restore our chain without flushing the table, then add the jump unless it is there (loading twice is harmless). */
function loadCommand(tool: string, file: string): string {
  return `${tool}-restore --noflush < ${file} && { ${tool} -C FORWARD -j ${CHAIN} 2>/dev/null || ${tool} -I FORWARD 1 -j ${CHAIN}; }`;
}

/** One match per protocol (and per 15 multiport slots); "" when every protocol is allowed. */
function l4Matches(ports: FirewallPort[], family: number): string[] {
  const groups = netfilterPortGroups(ports);
  if (!groups) return [''];
  const out: string[] = [];
  for (const { protocol, match, ports: list } of groups) {
    // Each family's file names its own ICMP (the rule's ICMP entries are of the file's family).
    const name = protocol === 'icmp' || protocol === 'icmpv6' ? (family === 6 ? 'ipv6-icmp' : 'icmp') : protocol;
    if (match === 'protocol') {
      out.push(`-p ${PROTOCOL_NAMED.includes(protocol) ? name : list[0].protocolNumber}`);
    } else if (match === 'ports') {
      let chunk: string[] = [];
      let slots = 0;
      const flush = () => {
        if (chunk.length) out.push(`-p ${protocol} -m multiport --dports ${chunk.join(',')}`);
        chunk = [];
        slots = 0;
      };
      for (const p of list) {
        const single = p.fromPort === p.toPort;
        if (slots + (single ? 1 : 2) > MULTIPORT_MAX) flush();
        chunk.push(single ? `${p.fromPort}` : `${p.fromPort}:${p.toPort}`);
        slots += single ? 1 : 2;
      }
      flush();
    } else {
      for (const p of list) {
        out.push(`-p ${name} --${family === 6 ? 'icmpv6-type' : 'icmp-type'} ${p.icmpType}${p.icmpCode !== undefined ? `/${p.icmpCode}` : ''}`);
      }
    }
  }
  return out;
}
