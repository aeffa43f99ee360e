import { ofFamily } from '../addresses';
import { FirewallAddress, FirewallExportInput, FirewallRule, FirewallZone } from '../firewall-export-input';
import { ExporterCapabilities, FirewallExportFile, IFirewallExporter } from '../firewall-exporter';

/** What a platform matches beyond addresses and TCP/UDP ports (see ExporterCapabilities). */
export type PlatformMatch = 'domains' | 'wildcard-domains' | 'ipv6' | 'icmp-types' | 'icmp-codes';

/** Every protocol key ExporterCapabilities.protocols knows. */
export const EVERY_PROTOCOL = ['all', 'tcp', 'udp', 'sctp', 'udplite', 'icmp', 'icmpv6', 'number'];

/** A platform's capabilities as one line of data: what it matches, and which protocols. */
export function platformCapabilities(matches: PlatformMatch[], protocols: string[]): ExporterCapabilities {
  const has = (m: PlatformMatch) => matches.includes(m);
  return {
    domains: has('domains'),
    ...(has('domains') ? { wildcardDomains: has('wildcard-domains') } : {}),
    ipv6: has('ipv6'),
    icmpTypes: has('icmp-types'),
    icmpCodes: has('icmp-codes'),
    protocols,
  };
}

/** A zone's rules that match addresses, in order (domain rules, ipVersion 0, become platforms' FQDN objects). */
export function addressRules(zone: FirewallZone): FirewallRule[] {
  return zone.rules.filter(r => r.ipVersion !== 0);
}

/** What a default deny covers, per zone and IP family that has sources, in zone order (4 before 6). */
export function denyScopes(input: FirewallExportInput): { zone: FirewallZone; family: number; sources: FirewallAddress[] }[] {
  return input.zones.flatMap(zone => [4, 6]
    .map(family => ({ zone, family, sources: ofFamily(zone.sources, family) }))
    .filter(scope => scope.sources.length > 0));
}

/** Linux's packet filters (nftables and iptables: the same netfilter matches). */
export const KERNEL_FILTER_CAPABILITIES = platformCapabilities(['ipv6', 'icmp-types', 'icmp-codes'], EVERY_PROTOCOL);

/**
 * Base of the built-in exporters: the format id, its capabilities, and no problems beyond them unless the
 * platform overrides `unsupported` (limits on rule counts, priorities, names).
 */
export abstract class PlatformExporter implements IFirewallExporter {
  protected constructor(public readonly format: string, public readonly capabilities: ExporterCapabilities) {}

  public unsupported(_input: FirewallExportInput): string[] {
    return [];
  }

  public abstract render(input: FirewallExportInput): FirewallExportFile[];
}
