import { AddressBook, AddressObject, memberGroupName, OWNED_PREFIX, zonesWithSources } from './device-objects';
import { netmask, splitCidr } from '../addresses';
import { FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, ruleSummary } from '../platform-text';
import { platformCapabilities, PlatformExporter } from './platform-exporter';

// Object names: at most 64 characters; we keep to letters, digits, "_", "-" and ".".
const NAME = { maxLength: 64, invalid: /[^A-Za-z0-9_.-]+/g, replacement: '-', letterPrefix: 'x' };
const ACL = 'CDK8S-EGRESS';
// ACL remarks take at most 100 characters.
const REMARK_MAX = 100;

/**
 * Cisco ASA: network objects (subnet/host, and `fqdn v4`/`fqdn v6` for domain names), one object-group
 * per rule side, and an extended access list `CDK8S-EGRESS` in order with a remark per rule, ending with a
 * deny per zone. FQDN objects take no wildcards, and ICMP codes are not matched.
 *
 * It owns the access list and the objects named cdk8s-egress-* and nothing else. It starts by clearing its
 * own access list (as Aerleon's ASA generator does), so a reload leaves no entry of an earlier export. An
 * object-group takes members additively, so each group is named after its members: reloading never adds to a
 * group in use. Binding the list is left to the user: `access-group` replaces whatever list is bound there.
 */
export class CiscoAsaExporter extends PlatformExporter {
  constructor() {
    super('cisco-asa', platformCapabilities(['domains', 'ipv6', 'icmp-types'], ['all', 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'number']));
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const book = new AddressBook(NAME);
    const groups: string[] = [];
    const acl: string[] = [];
    const group = (id: string, members: AddressObject[]) => {
      const name = memberGroupName(id, members.map(m => m.name), NAME);
      groups.push(`object-group network ${name}`, ...members.map(m => ` network-object object ${m.name}`));
      return name;
    };
    for (const zone of input.zones) {
      for (const rule of zone.rules) {
        const src = group(`${rule.id}-src`, rule.sources.map(s => book.address(s)));
        const families = [...new Set(rule.sources.map(s => s.ipVersion))];
        const dstObjects = rule.ipVersion !== 0
          ? rule.destinations.map(d => book.address(d))
          : rule.domains.flatMap(d => families.map(f => book.domain(d, f === 4 ? 'fqdn4' : 'fqdn6')));
        const dst = group(`${rule.id}-dst`, dstObjects);
        acl.push(`access-list ${ACL} remark ${platformComment(ruleSummary(rule), REMARK_MAX, /[^\x20-\x7e]/g, '')}`);
        for (const ace of aces(rule.ports)) {
          acl.push(`access-list ${ACL} extended permit ${ace.protocol} object-group ${src} object-group ${dst}${ace.match}`);
        }
      }
    }
    for (const { zone, sources } of zonesWithSources(input)) {
      const src = group(`${zone}-sources`, sources.map(s => book.address(s)));
      acl.push(`access-list ${ACL} remark ${platformComment(`${zone}: default deny`, REMARK_MAX)}`);
      acl.push(`access-list ${ACL} extended deny ip object-group ${src} any`);
    }
    const objects = book.objects.flatMap(o => {
      const lines = [`object network ${o.name}`];
      if (o.domain !== undefined) {
        lines.push(` fqdn ${o.kind === 'fqdn6' ? 'v6' : 'v4'} ${o.domain}`);
      } else {
        const [addr, len] = splitCidr(o.cidr!);
        if (o.ipVersion === 4) lines.push(len === 32 ? ` host ${addr}` : ` subnet ${addr} ${netmask(len)}`);
        else lines.push(len === 128 ? ` host ${addr}` : ` subnet ${o.cidr}`);
        if (o.description) lines.push(` description ${platformComment(o.description, 200, /[^\x20-\x7e]/g, '')}`);
      }
      return lines;
    });
    const lines = [
      ': cdk8s-egress perimeter export (Cisco ASA). Generated from the egress model; do not edit by hand.',
      `: Owns only the access list ${ACL} and the objects and object-groups named ${OWNED_PREFIX}*; it changes nothing else.`,
      `: Load with: configure session cdk8s-egress, paste this file, commit. The first line replaces ${ACL} (with`,
      ':   forward-reference enable, a bound list is replaced once the new one compiles). Groups are named after their',
      ':   members, so loading again never changes a group in use.',
      `: Binding is yours: access-group ${ACL} in interface <inside> replaces the list bound there (merge into it if one is).`,
      `: Remove with: no access-group ${ACL} in interface <inside>, clear configure access-list ${ACL}, then no object-group`,
      `:   and no object for each ${OWNED_PREFIX}* name.`,
      `clear configure access-list ${ACL}`,
      ...objects,
      ...groups,
      ...acl,
      '',
    ];
    return [{ path: 'cisco-asa.cfg', content: lines.join('\n') }];
  }
}

function aces(ports: FirewallPort[]): { protocol: string; match: string }[] {
  if (ports.some(p => p.protocol === 'all')) return [{ protocol: 'ip', match: '' }];
  return ports.flatMap(p => {
    if (['tcp', 'udp', 'sctp'].includes(p.protocol)) {
      if (p.fromPort === undefined) return [{ protocol: p.protocol, match: '' }];
      return [{ protocol: p.protocol, match: p.fromPort === p.toPort ? ` eq ${p.fromPort}` : ` range ${p.fromPort} ${p.toPort}` }];
    }
    if (p.protocol === 'icmp' || p.protocol === 'icmpv6') {
      const protocol = p.protocol === 'icmp' ? 'icmp' : 'icmp6';
      return [{ protocol, match: p.icmpType !== undefined ? ` ${p.icmpType}` : '' }];
    }
    return [{ protocol: p.protocol === 'udplite' ? '136' : String(p.protocolNumber), match: '' }];
  });
}
