import { AddressBook, AddressObject, OWNED_PREFIX, ownedName, portObjectId, zonesWithSources } from './device-objects';
import { problem } from '../../model/errors';
import { netmask, splitCidr } from '../addresses';
import { FirewallExportInput, FirewallPort, FirewallRule } from '../firewall-export-input';
import { FirewallExportFile } from '../firewall-exporter';
import { platformComment, ruleSummary } from '../platform-text';
import { platformCapabilities, PlatformExporter } from './platform-exporter';

// Address and service names: at most 79 characters; policy names at most 35.
const NAME = { maxLength: 79, invalid: /[^A-Za-z0-9_.-]+/g, replacement: '-' };
const POLICY_NAME = { maxLength: 35, invalid: /[^A-Za-z0-9_.-]+/g, replacement: '-' };
// The policy ids the export owns. FortiOS edits a policy by id only, and `edit 0` adds a copy on every load, so
// each policy gets a fixed id in this range, far above the ids FortiOS hands out in sequence.
const POLICY_IDS = { first: 1_000_000_000, count: 10_000 };
// Every address field a policy may carry: each is set or unset, so an edit replaces what an earlier load set.
const ADDRESS_FIELDS = ['srcaddr', 'dstaddr', 'srcaddr6', 'dstaddr6'];

/**
 * FortiGate CLI: `firewall address`/`address6` (subnets, `fqdn` and `wildcard-fqdn` for domain names),
 * address groups per rule side, custom services per port, and policies (`edit 0`: next free id) with
 * srcaddr/dstaddr and srcaddr6/dstaddr6, ending with a deny per zone. Interfaces are "any": narrow them to
 * yours. Wildcard FQDNs exist for IPv4 only.
 *
 * Every name starts with cdk8s-egress-, and policies take fixed ids from POLICY_IDS: a reload edits the same
 * policies, sets or unsets every field the export uses, and moves them back into order. `set member`
 * replaces a group's members. A file cannot know how many policies an earlier export had, so its header
 * names the ids it uses, and `fortigate.remove.conf` deletes exactly what it set.
 */
export class FortigateExporter extends PlatformExporter {
  constructor() {
    super('fortigate', platformCapabilities(['domains', 'wildcard-domains', 'ipv6', 'icmp-types', 'icmp-codes'], ['all', 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'udplite', 'number']));
  }

  public unsupported(input: FirewallExportInput): string[] {
    const problems = input.zones.flatMap(z => z.rules)
      .filter(r => r.ipVersion === 0 && r.domains.some(d => d.startsWith('*.')) && r.sources.some(s => s.ipVersion === 6))
      .map(r => problem(`zone "${r.zone}" rule "${r.rule}" has wildcard domains and IPv6 sources; FortiGate wildcard FQDN addresses are IPv4 only`, r.path));
    // At most one policy per rule, plus one deny per zone.
    const policies = input.zones.reduce((n, z) => n + z.rules.length + 1, 0);
    if (policies > POLICY_IDS.count) problems.push(`${policies} policies do not fit the ${POLICY_IDS.count} policy ids the export owns`);
    return problems;
  }

  public render(input: FirewallExportInput): FirewallExportFile[] {
    const v4 = new AddressBook(NAME);
    const v6 = new AddressBook(NAME);
    // per family, each group's lines by its name (the removal file deletes by these names)
    const groups4 = new Map<string, string[]>();
    const groups6 = new Map<string, string[]>();
    const services = new Map<string, string[]>();
    const policies: string[] = [];
    const group = (target: Map<string, string[]>, id: string, members: AddressObject[]) => {
      if (members.length === 0) return undefined;
      const name = ownedName(id, NAME);
      target.set(name, [`    edit "${name}"`, `        set member ${members.map(m => `"${m.name}"`).join(' ')}`, '    next']);
      return name;
    };
    const ids: number[] = [];
    const policy = (name: string, comment: string, addresses: { [field: string]: string | undefined }, lines: string[]) => {
      const id = POLICY_IDS.first + ids.length;
      const moveBack = ids.length ? [`    move ${id} after ${ids[ids.length - 1]}`] : [];
      ids.push(id);
      policies.push(`    edit ${id}`, `        set name "${ownedName(name, POLICY_NAME)}"`, '        set srcintf "any"', '        set dstintf "any"',
        ...ADDRESS_FIELDS.map(f => addresses[f] ? `        set ${f} "${addresses[f]}"` : `        unset ${f}`),
        ...lines, '        set schedule "always"', `        set comments "${platformComment(comment, 1023)}"`, '    next', ...moveBack);
    };
    for (const zone of input.zones) {
      for (const rule of zone.rules) {
        const sides = ruleSides(rule, v4, v6);
        const src4 = group(groups4, `${rule.id}-src`, sides.src4);
        const dst4 = group(groups4, `${rule.id}-dst`, sides.dst4);
        const src6 = group(groups6, `${rule.id}-src6`, sides.src6);
        const dst6 = group(groups6, `${rule.id}-dst6`, sides.dst6);
        const addresses: { [field: string]: string } = {
          ...(src4 && dst4 ? { srcaddr: src4, dstaddr: dst4 } : {}),
          ...(src6 && dst6 ? { srcaddr6: src6, dstaddr6: dst6 } : {}),
        };
        if (!Object.keys(addresses).length) continue;
        policy(rule.id, ruleSummary(rule), addresses, ['        set action accept', `        set service ${servicesOf(rule.ports, services).map(s => `"${s}"`).join(' ')}`]);
      }
    }
    for (const { zone, sources } of zonesWithSources(input)) {
      const src4 = group(groups4, `${zone}-sources`, sources.filter(s => s.ipVersion === 4).map(s => v4.address(s)));
      const src6 = group(groups6, `${zone}-sources6`, sources.filter(s => s.ipVersion === 6).map(s => v6.address(s)));
      policy(`${zone}-default-deny`, `${zone}: default deny`, {
        ...(src4 ? { srcaddr: src4, dstaddr: 'all' } : {}),
        ...(src6 ? { srcaddr6: src6, dstaddr6: 'all' } : {}),
      }, ['        set action deny', '        set service "ALL"']);
    }
    const lines = [
      '# cdk8s-egress perimeter export (FortiGate CLI). Generated from the egress model; do not edit by hand.',
      `# Owns only the addresses, address groups and services named ${OWNED_PREFIX}* and the policies with ids`,
      `#   ${POLICY_IDS.first}-${POLICY_IDS.first + POLICY_IDS.count - 1}; it changes nothing else. This export uses policies ${idRange(ids)}.`,
      '# Load with: paste into the CLI (or execute batch). Policies are edited by their fixed ids, every field the export uses',
      '#   is set or unset, and they are moved back into this order, so loading again replaces them (set member replaces a',
      '#   group\'s members). To replace an earlier export, load this file, then delete the policies of the earlier export\'s',
      '#   range (its header) above this one\'s.',
      '# Policies use srcintf/dstintf "any": narrow them to your interfaces.',
      '# Remove with: fortigate.remove.conf (paste into the CLI).',
      'config firewall address', ...v4.objects.flatMap(o => address(o)), 'end',
      'config firewall address6', ...v6.objects.flatMap(o => address(o)), 'end',
      'config firewall addrgrp', ...[...groups4.values()].flat(), 'end',
      'config firewall addrgrp6', ...[...groups6.values()].flat(), 'end',
      'config firewall service custom', ...[...services.values()].flat(), 'end',
      'config firewall policy', ...policies, 'end',
      '',
    ];
    const removal = [
      '# cdk8s-egress perimeter export (FortiGate): deletes exactly what fortigate.conf of the same export set, nothing else.',
      '# Load with: paste into the CLI.',
      ...deletes('firewall policy', ids),
      ...deletes('firewall addrgrp', [...groups4.keys()]),
      ...deletes('firewall addrgrp6', [...groups6.keys()]),
      ...deletes('firewall service custom', [...services.keys()]),
      ...deletes('firewall address', v4.objects.map(o => o.name)),
      ...deletes('firewall address6', v6.objects.map(o => o.name)),
      '',
    ];
    return [{ path: 'fortigate.conf', content: lines.join('\n') }, { path: 'fortigate.remove.conf', content: removal.join('\n') }];
  }
}

function idRange(ids: number[]): string {
  return ids.length ? `${ids[0]}-${ids[ids.length - 1]}` : 'none';
}

/** One config section deleting entries by id or (quoted) name; nothing when there are none. */
function deletes(section: string, keys: (number | string)[]): string[] {
  if (keys.length === 0) return [];
  return [`config ${section}`, ...keys.map(k => `    delete ${typeof k === 'number' ? k : `"${k}"`}`), 'end'];
}

function ruleSides(rule: FirewallRule, v4: AddressBook, v6: AddressBook) {
  const src4 = rule.sources.filter(s => s.ipVersion === 4).map(s => v4.address(s));
  const src6 = rule.sources.filter(s => s.ipVersion === 6).map(s => v6.address(s));
  if (rule.ipVersion !== 0) {
    return {
      src4,
      src6,
      dst4: rule.destinations.filter(d => d.ipVersion === 4).map(d => v4.address(d)),
      dst6: rule.destinations.filter(d => d.ipVersion === 6).map(d => v6.address(d)),
    };
  }
  return {
    src4,
    src6,
    dst4: src4.length ? rule.domains.map(d => v4.domain(d, d.startsWith('*.') ? 'wfqdn' : 'fqdn')) : [],
    dst6: src6.length ? rule.domains.map(d => v6.domain(d, 'fqdn6')) : [],
  };
}

function address(o: AddressObject): string[] {
  const lines = [`    edit "${o.name}"`];
  if (o.domain !== undefined) {
    if (o.domain.startsWith('*.')) lines.push('        set type wildcard-fqdn', `        set wildcard-fqdn "${o.domain}"`);
    else lines.push('        set type fqdn', `        set fqdn "${o.domain}"`);
  } else if (o.ipVersion === 4) {
    const [addr, len] = splitCidr(o.cidr!);
    lines.push(`        set subnet ${addr} ${netmask(len)}`);
  } else {
    lines.push(`        set ip6 ${o.cidr}`);
  }
  if (o.description && o.domain === undefined) lines.push(`        set comment "${platformComment(o.description, 255)}"`);
  lines.push('    next');
  return lines;
}

function servicesOf(ports: FirewallPort[], services: Map<string, string[]>): string[] {
  if (ports.some(p => p.protocol === 'all')) return ['ALL'];
  return ports.map(p => {
    if ((p.protocol === 'icmp' || p.protocol === 'icmpv6') && p.icmpType === undefined) return p.protocol === 'icmp' ? 'ALL_ICMP' : 'ALL_ICMP6';
    const name = ownedName(portObjectId(p), NAME);
    const lines = [`    edit "${name}"`];
    if (['tcp', 'udp', 'sctp'].includes(p.protocol)) {
      const range = p.fromPort === undefined ? '1-65535' : p.fromPort === p.toPort ? `${p.fromPort}` : `${p.fromPort}-${p.toPort}`;
      lines.push('        set protocol TCP/UDP/SCTP', `        set ${p.protocol}-portrange ${range}`);
    } else if (p.protocol === 'icmp' || p.protocol === 'icmpv6') {
      lines.push(`        set protocol ${p.protocol === 'icmp' ? 'ICMP' : 'ICMP6'}`, `        set icmptype ${p.icmpType}`);
      if (p.icmpCode !== undefined) lines.push(`        set icmpcode ${p.icmpCode}`);
    } else {
      lines.push('        set protocol IP', `        set protocol-number ${p.protocolNumber}`);
    }
    lines.push('    next');
    services.set(name, lines);
    return name;
  });
}
