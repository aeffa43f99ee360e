import { AddressBook, AddressObject, portObjectId, zonesWithSources } from './device-objects';
import { FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, platformName, ruleSummary } from '../platform-text';
import { platformCapabilities, PlatformExporter } from './platform-exporter';

// Address-book, application and policy names: at most 63 characters.
const NAME = { maxLength: 63, invalid: /[^A-Za-z0-9_.-]+/g, replacement: '-', letterPrefix: 'x' };
const POLICIES = 'set security policies from-zone trust to-zone untrust policy';

/**
 * Juniper SRX `set` commands: a global address book (prefixes, and `dns-name` for domain names), address
 * sets per rule side, applications per port, and policies from-zone trust to-zone untrust (rename the
 * zones to yours) in order, ending with a deny per zone. `dns-name` takes no wildcards; SCTP ports are not
 * expressed.
 */
export class JuniperSrxExporter extends PlatformExporter {
  constructor() {
    super('juniper-srx', platformCapabilities(['domains', 'ipv6', 'icmp-types', 'icmp-codes'], ['all', 'tcp', 'udp', 'icmp', 'icmpv6', 'udplite', 'number']));
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const book = new AddressBook(NAME);
    const sets: string[] = [];
    const apps = new Map<string, string[]>();
    const policies: string[] = [];
    const addressSet = (id: string, members: AddressObject[]) => {
      const name = platformName(id, NAME);
      sets.push(...members.map(m => `set security address-book global address-set ${name} address ${m.name}`));
      return name;
    };
    for (const zone of input.zones) {
      for (const rule of zone.rules) {
        const src = addressSet(`${rule.id}-src`, rule.sources.map(s => book.address(s)));
        const dst = addressSet(`${rule.id}-dst`, rule.ipVersion === 0 ? rule.domains.map(d => book.domain(d, 'dns')) : rule.destinations.map(d => book.address(d)));
        const name = platformName(rule.id, NAME);
        const applications = applicationsOf(rule.ports, apps);
        policies.push(
          `${POLICIES} ${name} match source-address ${src}`,
          `${POLICIES} ${name} match destination-address ${dst}`,
          ...applications.map(a => `${POLICIES} ${name} match application ${a}`),
          `${POLICIES} ${name} then permit`,
          `${POLICIES} ${name} description ${quote(platformComment(ruleSummary(rule), 900))}`,
        );
      }
    }
    for (const { zone, sources } of zonesWithSources(input)) {
      const src = addressSet(`${zone}-sources`, sources.map(s => book.address(s)));
      const name = platformName(`${zone}-default-deny`, NAME);
      policies.push(
        `${POLICIES} ${name} match source-address ${src}`,
        `${POLICIES} ${name} match destination-address any`,
        `${POLICIES} ${name} match application any`,
        `${POLICIES} ${name} then deny`,
        `${POLICIES} ${name} description ${quote(`${zone}: default deny`)}`,
      );
    }
    const addresses = book.objects.flatMap(o => o.domain !== undefined
      ? [`set security address-book global address ${o.name} dns-name ${o.domain}`]
      : [
        `set security address-book global address ${o.name} ${o.cidr}`,
        ...(o.description ? [`set security address-book global address ${o.name} description ${quote(platformComment(o.description, 900))}`] : []),
      ]);
    const lines = [
      '# cdk8s-egress perimeter export (Juniper SRX set commands). Generated from the egress model; do not edit by hand.',
      '# Policies go from-zone trust to-zone untrust: rename the zones to yours.',
      ...addresses,
      ...sets,
      ...[...apps.values()].flat(),
      ...policies,
      '',
    ];
    return [{ path: 'juniper-srx.set', content: lines.join('\n') }];
  }
}

function applicationsOf(ports: FirewallPort[], apps: Map<string, string[]>): string[] {
  if (ports.some(p => p.protocol === 'all')) return ['any'];
  return ports.map(p => {
    const name = platformName(`app-${portObjectId(p)}`, NAME);
    const base = `set applications application ${name}`;
    let lines: string[];
    if (p.protocol === 'tcp' || p.protocol === 'udp') {
      const range = p.fromPort === undefined ? '0-65535' : p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}-${p.toPort}`;
      lines = [`${base} protocol ${p.protocol} destination-port ${range}`];
    } else if (p.protocol === 'icmp' || p.protocol === 'icmpv6') {
      const kw = p.protocol === 'icmp' ? 'icmp' : 'icmp6';
      lines = [`${base} protocol ${kw}`];
      if (p.icmpType !== undefined) lines.push(`${base} ${kw}-type ${p.icmpType}`);
      if (p.icmpCode !== undefined) lines.push(`${base} ${kw}-code ${p.icmpCode}`);
    } else {
      lines = [`${base} protocol ${p.protocolNumber}`];
    }
    apps.set(name, lines);
    return name;
  });
}

function quote(text: string): string {
  return `"${text.replace(/"/g, '\'')}"`;
}
