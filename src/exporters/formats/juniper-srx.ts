import { AddressBook, AddressObject, OWNED_PREFIX, ownedName, portObjectId, zonesWithSources } from './device-objects';
import { FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, ruleSummary } from '../platform-text';
import { platformCapabilities, PlatformExporter } from './platform-exporter';

// Address-book, application and policy names: at most 63 characters.
const NAME = { maxLength: 63, invalid: /[^A-Za-z0-9_.-]+/g, replacement: '-', letterPrefix: 'x' };
// Everything the export sets lives in this configuration group, which the file deletes first.
const GROUP = 'cdk8s-egress';
const SET = `set groups ${GROUP}`;
const POLICIES = `${SET} security policies from-zone trust to-zone untrust policy`;

/**
 * Juniper SRX `set` commands: a global address book (prefixes, and `dns-name` for domain names), address
 * sets per rule side, applications per port, and policies from-zone trust to-zone untrust (rename the
 * zones to yours) in order, ending with a deny per zone. `dns-name` takes no wildcards; SCTP ports are not
 * expressed.
 *
 * Every statement sits in the configuration group `cdk8s-egress`, applied with `apply-groups`, and the file
 * begins by deleting that group: one `commit` replaces everything an earlier export set, and nothing outside
 * the group changes. (A set of `set security policies …` lines could not remove the policies an earlier
 * export had and this one lacks; `load set` takes no wildcard delete.)
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
      const name = ownedName(id, NAME);
      sets.push(...members.map(m => `${SET} security address-book global address-set ${name} address ${m.name}`));
      return name;
    };
    for (const zone of input.zones) {
      for (const rule of zone.rules) {
        const src = addressSet(`${rule.id}-src`, rule.sources.map(s => book.address(s)));
        const dst = addressSet(`${rule.id}-dst`, rule.ipVersion === 0 ? rule.domains.map(d => book.domain(d, 'dns')) : rule.destinations.map(d => book.address(d)));
        const name = ownedName(rule.id, NAME);
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
      const name = ownedName(`${zone}-default-deny`, NAME);
      policies.push(
        `${POLICIES} ${name} match source-address ${src}`,
        `${POLICIES} ${name} match destination-address any`,
        `${POLICIES} ${name} match application any`,
        `${POLICIES} ${name} then deny`,
        `${POLICIES} ${name} description ${quote(`${zone}: default deny`)}`,
      );
    }
    const addresses = book.objects.flatMap(o => o.domain !== undefined
      ? [`${SET} security address-book global address ${o.name} dns-name ${o.domain}`]
      : [
        `${SET} security address-book global address ${o.name} ${o.cidr}`,
        ...(o.description ? [`${SET} security address-book global address ${o.name} description ${quote(platformComment(o.description, 900))}`] : []),
      ]);
    const lines = [
      '# cdk8s-egress perimeter export (Juniper SRX set commands). Generated from the egress model; do not edit by hand.',
      `# Owns only the configuration group ${GROUP} (objects and policies named ${OWNED_PREFIX}*) and its apply-groups entry.`,
      '# Load with: load set juniper-srx.set (configuration mode), show | compare, commit. The first line deletes the group,',
      '#   so one commit replaces everything an earlier export set.',
      '# Policies go from-zone trust to-zone untrust: rename the zones to yours. Check where the inherited policies sit',
      '#   among the zone pair\'s own: show security policies from-zone trust to-zone untrust; show security shadow-policies.',
      `# Remove with: delete apply-groups ${GROUP}, delete groups ${GROUP}, commit.`,
      `delete groups ${GROUP}`,
      ...addresses,
      ...sets,
      ...[...apps.values()].flat(),
      ...policies,
      `set apply-groups ${GROUP}`,
      '',
    ];
    return [{ path: 'juniper-srx.set', content: lines.join('\n') }];
  }
}

function applicationsOf(ports: FirewallPort[], apps: Map<string, string[]>): string[] {
  if (ports.some(p => p.protocol === 'all')) return ['any'];
  return ports.map(p => {
    const name = ownedName(`app-${portObjectId(p)}`, NAME);
    const base = `${SET} applications application ${name}`;
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
