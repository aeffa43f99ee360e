/**
 * Checks the neutral input against one exporter's capabilities, Capirca style: everything a format cannot
 * express is collected (errors across all formats are reported together, before anything is rendered);
 * domain names a format cannot match are dropped with a warning only when the user asked for that.
 * Nothing is ever widened: a port or ICMP type the platform cannot match is an error, not "any".
 */
import { FirewallExportInput, FirewallPort, FirewallRule } from './firewall-export-input';
import { DomainHandling, IFirewallExporter } from './firewall-exporter';
import { located, problem } from '../model/errors';

/** What one format may render, and what it cannot. */
export interface CheckedInput {
  readonly input: FirewallExportInput;
  readonly errors: string[];
  readonly warnings: string[];
}

/** Filters `input` to what `exporter` can express. */
export function checkCapabilities(exporter: IFirewallExporter, input: FirewallExportInput, domainHandling: DomainHandling): CheckedInput {
  const caps = exporter.capabilities;
  const errors: string[] = [];
  const warnings: string[] = [];
  const fmt = exporter.format;
  const zones = input.zones.map(zone => {
    const rules: FirewallRule[] = [];
    for (const rule of zone.rules) {
      const where = `zone "${rule.zone}" rule "${rule.rule}"`;
      for (const port of rule.ports) {
        const why = portProblem(port, caps.protocols, caps.icmpTypes, caps.icmpCodes);
        if (why) errors.push(problem(`${fmt}: ${where} port "${port.text}" ${why}`, rule.path));
      }
      if (rule.ipVersion === 6 && !caps.ipv6) {
        warnings.push(problem(`${fmt}: ${where}: IPv6 destinations ${rule.destinations.map(d => d.cidr).join(', ')} left out: the format has no IPv6`, rule.path));
        continue;
      }
      if (rule.ipVersion !== 0) {
        rules.push(rule);
        continue;
      }
      const sources = caps.ipv6 ? rule.sources : rule.sources.filter(s => s.ipVersion === 4);
      const unmatchable = caps.domains ? rule.domains.filter(d => d.startsWith('*.') && !caps.wildcardDomains) : rule.domains;
      const kept = rule.domains.filter(d => !unmatchable.includes(d));
      if (unmatchable.length > 0) {
        const what = caps.domains ? 'cannot match wildcard domain names' : 'cannot match domain names';
        const message = located(`${fmt}: ${where} domains "${unmatchable.join(', ')}": the format ${what}`, rule.path);
        if (domainHandling === DomainHandling.ERROR) {
          errors.push(problem(message, undefined, `give the destination set addresses, or domainHandling: DomainHandling.WARN to leave them out of ${fmt}`));
        } else {
          warnings.push(`${message}; left out of ${fmt}`);
        }
      }
      if (kept.length > 0 && sources.length > 0) rules.push({ ...rule, sources, domains: kept });
    }
    return { ...zone, sources: caps.ipv6 ? zone.sources : zone.sources.filter(s => s.ipVersion === 4), rules };
  });
  for (const p of exporter.unsupported({ zones, warnings: input.warnings })) errors.push(`${fmt}: ${p}`);
  return { input: { zones, warnings: [...input.warnings, ...warnings] }, errors, warnings };
}

function portProblem(port: FirewallPort, protocols: string[], icmpTypes: boolean, icmpCodes: boolean): string | undefined {
  const known = ['all', 'tcp', 'udp', 'sctp', 'udplite', 'icmp', 'icmpv6'];
  const key = known.includes(port.protocol) ? port.protocol : 'number';
  if (!protocols.includes(key)) {
    return key === 'number' ? 'uses a protocol number the format cannot match' : `uses ${port.protocol}, which the format cannot match`;
  }
  if (port.icmpType !== undefined && !icmpTypes) return 'matches an ICMP type, which the format cannot (matching all ICMP would widen the rule)';
  if (port.icmpCode !== undefined && !icmpCodes) return 'matches an ICMP code, which the format cannot (matching the whole type would widen the rule)';
  return undefined;
}
