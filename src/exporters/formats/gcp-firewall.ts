import { problem } from '../../model/errors';
import { FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { jsonText, platformComment, platformName, ruleSummary } from '../platform-text';
import { addressRules, denyScopes, platformCapabilities, PlatformExporter } from './platform-exporter';

// RFC 1035 names, at most 63 characters.
const NAME = { maxLength: 63, invalid: /[^a-z0-9-]+/g, replacement: '-' };
const ALLOW_PRIORITY = 1000;
// Below every allow, above the implied allow-egress rule (65535).
const DENY_PRIORITY = 65000;
const MAX_RANGES = 256;

/**
 * GCP VPC firewall rules (`compute#firewall` resources, as `firewalls.insert` takes them), EGRESS, with
 * source ranges (the addresses the zone's traffic carries) and destination ranges. One rule per entry and
 * family (a rule holds either IPv4 or IPv6 ranges), allows from priority 1000 in declaration order, and an
 * explicit deny per zone and family at 65000, because the implied egress rule allows everything.
 * ICMP types are not expressible (GCP matches ICMP as a whole). The network is `global/networks/default`;
 * change it where your VPC is another.
 */
export class GcpFirewallExporter extends PlatformExporter {
  constructor() {
    super('gcp', platformCapabilities(['ipv6'], ['all', 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'number', 'udplite']));
  }

  public unsupported(input: FirewallExportInput): string[] {
    const problems: string[] = [];
    for (const zone of input.zones) {
      for (const rule of zone.rules) {
        if (rule.sources.length > MAX_RANGES || rule.destinations.length > MAX_RANGES) {
          problems.push(problem(`zone "${rule.zone}" rule "${rule.rule}" has more than ${MAX_RANGES} source or destination ranges, GCP's limit per rule`, rule.path));
        }
      }
    }
    const allows = input.zones.reduce((n, z) => n + z.rules.length, 0);
    if (ALLOW_PRIORITY + allows >= DENY_PRIORITY) problems.push(`${allows} rules do not fit between priorities ${ALLOW_PRIORITY} and ${DENY_PRIORITY}`);
    return problems;
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const rules: unknown[] = [];
    let priority = ALLOW_PRIORITY;
    for (const rule of input.zones.flatMap(addressRules)) {
      rules.push({
        kind: 'compute#firewall',
        name: platformName(`cdk8s-egress-${rule.id}`, NAME),
        description: platformComment(ruleSummary(rule), 2048),
        network: 'global/networks/default',
        priority: priority++,
        direction: 'EGRESS',
        sourceRanges: rule.sources.map(s => s.cidr),
        destinationRanges: rule.destinations.map(d => d.cidr),
        allowed: allowed(rule.ports),
      });
    }
    for (const { zone, family, sources } of denyScopes(input)) {
      rules.push({
        kind: 'compute#firewall',
        name: platformName(`cdk8s-egress-${zone.name}-deny-v${family}`, NAME),
        description: platformComment(`${zone.name}: default deny (the implied egress rule allows everything)`, 2048),
        network: 'global/networks/default',
        priority: DENY_PRIORITY,
        direction: 'EGRESS',
        sourceRanges: sources.map(s => s.cidr),
        destinationRanges: [family === 4 ? '0.0.0.0/0' : '::/0'],
        denied: [{ IPProtocol: 'all' }],
      });
    }
    return [{ path: 'gcp-firewall.json', content: jsonText(rules) }];
  }
}

function allowed(ports: FirewallPort[]): { IPProtocol: string; ports?: string[] }[] {
  if (ports.some(p => p.protocol === 'all')) return [{ IPProtocol: 'all' }];
  const out: { IPProtocol: string; ports?: string[] }[] = [];
  for (const proto of [...new Set(ports.map(p => p.protocol))]) {
    const list = ports.filter(p => p.protocol === proto);
    const name = ['tcp', 'udp', 'sctp', 'icmp'].includes(proto) ? proto : String(list[0].protocolNumber);
    if (['tcp', 'udp', 'sctp'].includes(proto) && list.every(p => p.fromPort !== undefined)) {
      out.push({ IPProtocol: name, ports: list.map(p => p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}-${p.toPort}`) });
    } else {
      out.push({ IPProtocol: name });
    }
  }
  return out;
}
