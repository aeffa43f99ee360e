import { AddressBook, AddressObject, memberGroupName, OWNED_PREFIX, ownedName, portObjectId, zonesWithSources } from './device-objects';
import { FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, ruleSummary } from '../platform-text';
import { platformCapabilities, PlatformExporter } from './platform-exporter';

// PAN-OS object and rule names: at most 63 of letters, digits, "_", "-", "." and space, starting alphanumeric.
const NAME = { maxLength: 63, invalid: /[^A-Za-z0-9_.-]+/g, replacement: '-', letterPrefix: 'x' };

/**
 * Palo Alto PAN-OS `set` commands: address objects (ip-netmask, and fqdn for domain names), address
 * groups per rule, service objects per port, and security rules in order, ending with a deny per zone.
 * Rules go `from any to any`: replace with your zones. FQDN objects take no wildcards; ICMP is matched by
 * App-ID (`icmp`/`ipv6-icmp`, service application-default), so ICMP types and other protocol numbers are
 * not expressible.
 *
 * Every name starts with cdk8s-egress-, and the file sets nothing else. `set` adds to a member list rather
 * than replacing it, so each rule is deleted before it is set (a reload replaces it, never widens it), and
 * each address group is named after its members (a changed group is a new group). Addresses and services
 * are named after their values. A file cannot know which rules an earlier export had and this one lacks,
 * so each export comes with `panos.remove.set`, which deletes exactly what it set: pasted before the next
 * export's `panos.set`, one commit replaces the earlier export (PAN-OS commits a candidate configuration).
 */
export class PanosExporter extends PlatformExporter {
  constructor() {
    super('panos', platformCapabilities(['domains', 'ipv6'], ['all', 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6']));
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const book = new AddressBook(NAME);
    const groups: string[] = [];
    const services = new Map<string, string>();
    const rules: string[] = [];
    const names = new Set<string>();
    const groupNames = new Set<string>();
    const group = (id: string, members: AddressObject[]) => {
      const name = memberGroupName(id, members.map(m => m.name), NAME);
      groupNames.add(name);
      groups.push(`set address-group ${name} static [ ${members.map(m => m.name).join(' ')} ]`);
      return name;
    };
    for (const zone of input.zones) {
      for (const rule of zone.rules) {
        const src = group(`${rule.id}-src`, rule.sources.map(s => book.address(s)));
        const dst = group(`${rule.id}-dst`, rule.ipVersion === 0 ? rule.domains.map(d => book.domain(d)) : rule.destinations.map(d => book.address(d)));
        const description = quote(platformComment(`${ruleSummary(rule)} (${rule.sourceDescription})`, 1023));
        for (const match of matches(rule.ports, services)) {
          const name = uniqueName(`${rule.id}${match.suffix}`, names);
          rules.push(`delete rulebase security rules ${name}`);
          rules.push(`set rulebase security rules ${name} from any to any source ${src} destination ${dst} application ${match.application} service ${match.service} action allow`);
          rules.push(`set rulebase security rules ${name} description ${description}`);
        }
      }
    }
    for (const { zone, sources } of zonesWithSources(input)) {
      const src = group(`${zone}-sources`, sources.map(s => book.address(s)));
      const name = uniqueName(`${zone}-default-deny`, names);
      rules.push(`delete rulebase security rules ${name}`);
      rules.push(`set rulebase security rules ${name} from any to any source ${src} destination any application any service any action deny`);
      rules.push(`set rulebase security rules ${name} description ${quote(`${zone}: default deny`)}`);
    }
    const objects = book.objects.flatMap(o => [
      o.domain !== undefined ? `set address ${o.name} fqdn ${o.domain}` : `set address ${o.name} ip-netmask ${o.cidr}`,
      ...(o.description && o.domain === undefined ? [`set address ${o.name} description ${quote(platformComment(o.description, 1023))}`] : []),
    ]);
    const lines = [
      '# cdk8s-egress perimeter export (PAN-OS set commands). Generated from the egress model; do not edit by hand.',
      `# Owns only the addresses, address groups, services and security rules named ${OWNED_PREFIX}*; it changes nothing else.`,
      '# Load with: paste into configure mode, review, commit. To replace an earlier export, paste its panos.remove.set',
      '#   first and commit once: nothing of the earlier export stays. Each rule is deleted, then set (set adds to member',
      '#   lists) and goes to the bottom of the rulebase in this order, so loading this file twice is harmless. Groups are',
      '#   named after their members.',
      '# Rules use "from any to any": replace with your trust/untrust zones before committing.',
      '# Remove with: panos.remove.set (paste into configure mode, commit).',
      ...objects,
      ...groups,
      ...services.values(),
      ...rules,
      '',
    ];
    const removal = [
      '# cdk8s-egress perimeter export (PAN-OS): deletes exactly what panos.set of the same export set, nothing else.',
      '# Load with: paste into configure mode, commit. Before a newer panos.set in the same commit, it replaces this export.',
      ...[...names].map(n => `delete rulebase security rules ${n}`),
      ...[...groupNames].map(n => `delete address-group ${n}`),
      ...[...services.keys()].map(n => `delete service ${n}`),
      ...book.objects.map(o => `delete address ${o.name}`),
      '',
    ];
    return [{ path: 'panos.set', content: lines.join('\n') }, { path: 'panos.remove.set', content: removal.join('\n') }];
  }
}

function matches(ports: FirewallPort[], services: Map<string, string>): { suffix: string; application: string; service: string }[] {
  if (ports.some(p => p.protocol === 'all')) return [{ suffix: '', application: 'any', service: 'any' }];
  const out: { suffix: string; application: string; service: string }[] = [];
  const l4 = ports.filter(p => ['tcp', 'udp', 'sctp'].includes(p.protocol));
  if (l4.length > 0) {
    const names = l4.map(p => {
      const name = ownedName(`svc-${portObjectId(p)}`, NAME);
      const range = p.fromPort === undefined ? '0-65535' : p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}-${p.toPort}`;
      services.set(name, `set service ${name} protocol ${p.protocol} port ${range}`);
      return name;
    });
    out.push({ suffix: '', application: 'any', service: names.length === 1 ? names[0] : `[ ${names.join(' ')} ]` });
  }
  if (ports.some(p => p.protocol === 'icmp')) out.push({ suffix: '-icmp', application: 'icmp', service: 'application-default' });
  if (ports.some(p => p.protocol === 'icmpv6')) out.push({ suffix: '-icmp6', application: 'ipv6-icmp', service: 'application-default' });
  return out;
}

function uniqueName(id: string, names: Set<string>): string {
  let name = ownedName(id, NAME);
  for (let i = 2; names.has(name); i++) name = ownedName(`${id}-${i}`, NAME);
  names.add(name);
  return name;
}

function quote(text: string): string {
  return `"${text.replace(/"/g, '\'')}"`;
}
