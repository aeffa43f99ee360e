import { FirewallExportInput } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { jsonText } from '../platform-text';
import { platformCapabilities, EVERY_PROTOCOL, PlatformExporter } from './platform-exporter';

/** The inventories list every rule as it is: they express everything. */
const EVERYTHING = platformCapabilities(['domains', 'wildcard-domains', 'ipv6', 'icmp-types', 'icmp-codes'], EVERY_PROTOCOL);

/**
 * Neutral inventory for review and audit, as CSV: one row per (rule, destination) or per domain rule, then
 * one deny row per zone. Expresses everything the model has.
 */
export class CsvInventoryExporter extends PlatformExporter {
  constructor() {
    super('csv', EVERYTHING);
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const header = ['zone', 'rule', 'entry', 'action', 'ip_version', 'sources', 'source_mode', 'destination', 'destination_description', 'domains', 'ports', 'description', 'path'];
    const rows: string[][] = [header];
    for (const zone of input.zones) {
      for (const rule of zone.rules) {
        const common = [rule.zone, rule.rule, rule.id, 'allow', rule.ipVersion === 0 ? 'any' : String(rule.ipVersion), rule.sources.map(s => s.cidr).join(' '), rule.sourceDescription];
        const tail = [rule.ports.map(p => p.text).join(' '), rule.description ?? '', rule.path];
        if (rule.ipVersion === 0) rows.push([...common, '', '', rule.domains.join(' '), ...tail]);
        for (const d of rule.destinations) rows.push([...common, d.cidr, d.descriptions.join('; '), '', ...tail]);
      }
      if (zone.sources.length > 0) {
        rows.push([zone.name, '', `${zone.name}-default-deny`, 'deny', 'any', zone.sources.map(s => s.cidr).join(' '), zone.exitMode, 'any', '', '', 'all', 'default deny', zone.path]);
      }
    }
    return [{ path: 'inventory.csv', content: rows.map(r => r.map(csvField).join(',')).join('\n') + '\n' }];
  }
}

/**
 * Neutral inventory as JSON: the flattened, aggregated rule list every exporter renders, with the
 * warnings raised while flattening (the input of custom tooling and audits).
 */
export class JsonInventoryExporter extends PlatformExporter {
  constructor() {
    super('json', EVERYTHING);
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    return [{ path: 'inventory.json', content: jsonText({ version: 1, zones: input.zones, warnings: input.warnings }) }];
  }
}

// RFC 4180 quoting (with LF line ends, as the repository stores text): quote fields with comma, quote or line break; double the quotes. A leading =, +, - or @ is
// prefixed with ' so spreadsheets do not evaluate it (CSV injection).
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
