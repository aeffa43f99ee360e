import { FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { jsonText, platformComment, platformName, ruleSummary } from '../platform-text';
import { addressRules, denyScopes, platformCapabilities, PlatformExporter } from './platform-exporter';

// Security rule names: 1-80 of letters, digits, "_", "." and "-".
const NAME = { maxLength: 80, invalid: /[^a-zA-Z0-9_.-]+/g, replacement: '-' };
const FIRST_PRIORITY = 100;
const DENY_PRIORITY = 4000;
const LAST_PRIORITY = 4096;
const PROTOCOL: { [p: string]: string } = { tcp: 'Tcp', udp: 'Udp', icmp: 'Icmp' };

/**
 * Azure network security group as an ARM template: Outbound security rules with source prefixes (the zone's
 * addresses) and destination prefixes, one rule per entry, family and protocol (a rule has one protocol),
 * allows from priority 100, and an explicit deny per zone and family from 4000, because the default
 * rule AllowInternetOutBound (65001) would allow the rest. ICMP types, SCTP, ICMPv6 and other protocol
 * numbers are not expressible.
 *
 * The template owns one network security group, rules included (its `securityRules` list replaces the
 * group's rules on every deployment), so the group's name must be its own; the metadata says so.
 */
export class AzureNsgExporter extends PlatformExporter {
  constructor() {
    super('azure', platformCapabilities(['ipv6'], ['all', 'tcp', 'udp', 'icmp']));
  }

  public unsupported(input: FirewallExportInput): string[] {
    const allows = input.zones.reduce((n, z) => n + z.rules.reduce((m, r) => m + protocolGroups(r.ports).length, 0), 0);
    const denies = denyScopes(input).length;
    const problems: string[] = [];
    if (FIRST_PRIORITY + allows > DENY_PRIORITY) problems.push(`${allows} security rules do not fit between priorities ${FIRST_PRIORITY} and ${DENY_PRIORITY}`);
    if (DENY_PRIORITY + denies > LAST_PRIORITY + 1) problems.push(`${denies} deny rules do not fit between priorities ${DENY_PRIORITY} and ${LAST_PRIORITY}`);
    return problems;
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const securityRules: unknown[] = [];
    let priority = FIRST_PRIORITY;
    for (const rule of input.zones.flatMap(addressRules)) {
      for (const group of protocolGroups(rule.ports)) {
        securityRules.push({
          name: platformName(`${rule.id}${group.protocol === '*' ? '' : `-${group.protocol.toLowerCase()}`}`, NAME),
          properties: {
            description: platformComment(ruleSummary(rule), 140),
            protocol: group.protocol,
            sourcePortRange: '*',
            ...(group.ports.length === 1 ? { destinationPortRange: group.ports[0] } : { destinationPortRanges: group.ports }),
            sourceAddressPrefixes: rule.sources.map(s => s.cidr),
            destinationAddressPrefixes: rule.destinations.map(d => d.cidr),
            access: 'Allow',
            priority: priority++,
            direction: 'Outbound',
          },
        });
      }
    }
    priority = DENY_PRIORITY;
    for (const { zone, family, sources } of denyScopes(input)) {
      securityRules.push({
        name: platformName(`${zone.name}-default-deny-v${family}`, NAME),
        properties: {
          description: platformComment(`${zone.name}: default deny (AllowInternetOutBound would allow the rest)`, 140),
          protocol: '*',
          sourcePortRange: '*',
          destinationPortRange: '*',
          sourceAddressPrefixes: sources.map(s => s.cidr),
          destinationAddressPrefix: '*',
          access: 'Deny',
          priority: priority++,
          direction: 'Outbound',
        },
      });
    }
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      metadata: {
        description: `cdk8s-egress perimeter export (zones: ${input.zones.map(z => z.name).join(', ') || 'none'})`,
        ownership: 'Owns only the network security group named nsgName, with all its rules: each deployment replaces the group\'s rules with these, so give it a name of its own, never an existing group\'s. Load with: az deployment group create --resource-group <rg> --template-file azure-nsg.json --mode Incremental (complete mode would delete every other resource of the resource group). Remove with: az network nsg delete --resource-group <rg> --name <nsgName>, once no subnet or NIC uses it.',
      },
      parameters: {
        nsgName: { type: 'string', defaultValue: 'cdk8s-egress', metadata: { description: 'Name of the network security group: one of its own (its rules are replaced on every deployment)' } },
        location: { type: 'string', defaultValue: '[resourceGroup().location]', metadata: { description: 'Region of the network security group' } },
      },
      resources: [{
        type: 'Microsoft.Network/networkSecurityGroups',
        apiVersion: '2023-09-01',
        name: '[parameters(\'nsgName\')]',
        location: '[parameters(\'location\')]',
        properties: { securityRules },
      }],
    };
    return [{ path: 'azure-nsg.json', content: jsonText(template) }];
  }
}

/** One security rule per protocol: "*" (all), or Tcp/Udp with their port ranges, or Icmp. */
function protocolGroups(ports: FirewallPort[]): { protocol: string; ports: string[] }[] {
  if (ports.some(p => p.protocol === 'all')) return [{ protocol: '*', ports: ['*'] }];
  return [...new Set(ports.map(p => p.protocol))].map(proto => {
    const list = ports.filter(p => p.protocol === proto);
    const whole = list.some(p => p.fromPort === undefined);
    return {
      protocol: PROTOCOL[proto] ?? proto,
      ports: whole ? ['*'] : list.map(p => p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}-${p.toPort}`),
    };
  });
}
