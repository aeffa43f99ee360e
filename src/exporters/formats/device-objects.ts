/**
 * Address and service objects shared by the device formats (PAN-OS, ASA, SRX, FortiGate): each distinct
 * address, domain and port becomes one named object, in first-use order, so configs stay short and diffs
 * small. Names go through the platform's name rules, and every name starts with OWNED_PREFIX: an export
 * defines, replaces and removes only objects of that name, never one of the device's own.
 */
import { FirewallAddress, FirewallExportInput, FirewallPort } from '../firewall-export-input';
import { NameRules, platformName, shortHash } from '../platform-text';

/** The prefix of every object name a device export defines. */
export const OWNED_PREFIX = 'cdk8s-egress-';

/** A platform-safe name in the export's own namespace (OWNED_PREFIX + id). */
export function ownedName(id: string, rules: NameRules): string {
  return platformName(`${OWNED_PREFIX}${id}`, rules);
}

/** A name for a group of members that changes when they change (device groups add members, never replace them). */
export function memberGroupName(id: string, members: string[], rules: NameRules): string {
  return ownedName(`${id}-${shortHash(members.join(' '))}`, rules);
}

/** A named address object. */
export interface AddressObject {
  readonly name: string;
  /** The CIDR, or undefined for a domain. */
  readonly cidr?: string;
  readonly ipVersion: number;
  readonly domain?: string;
  /** For a domain: the kind it was asked for (`fqdn`, `fqdn6`, `wfqdn`, …). */
  readonly kind?: string;
  readonly description: string;
}

/** Collects address objects by identity (CIDR or domain). */
export class AddressBook {
  private readonly byKey = new Map<string, AddressObject>();
  private readonly names = new Set<string>();

  constructor(private readonly rules: NameRules) {}

  /** The object for an address (created on first use; descriptions of later uses are merged). */
  public address(a: FirewallAddress): AddressObject {
    const existing = this.byKey.get(a.cidr);
    if (existing) {
      const merged = [...new Set([...existing.description.split('; ').filter(Boolean), ...a.descriptions])].join('; ');
      const updated = { ...existing, description: merged };
      this.byKey.set(a.cidr, updated);
      return updated;
    }
    const base = `${a.ipVersion === 4 ? 'n4' : 'n6'}-${a.cidr.replace(/:/g, '_').replace('/', '-')}`;
    return this.add(a.cidr, { name: this.unique(base), cidr: a.cidr, ipVersion: a.ipVersion, description: a.descriptions.join('; ') });
  }

  /** The object for a domain name (`wildcard` objects get another prefix). */
  public domain(domain: string, prefix = 'fqdn'): AddressObject {
    const key = `${prefix}:${domain}`;
    return this.byKey.get(key) ?? this.add(key, { name: this.unique(`${prefix}-${domain.replace(/^\*\./, 'any.')}`), domain, kind: prefix, ipVersion: 0, description: domain });
  }

  /** Every object, in first-use order. */
  public get objects(): AddressObject[] {
    return [...this.byKey.values()];
  }

  private add(key: string, obj: AddressObject): AddressObject {
    this.byKey.set(key, obj);
    return obj;
  }

  private unique(base: string): string {
    let name = ownedName(base, this.rules);
    for (let i = 2; this.names.has(name); i++) name = ownedName(`${base}-${i}`, this.rules);
    this.names.add(name);
    return name;
  }
}

/** Port text for object names: "tcp-443", "udp-5000-5100", "icmp-8-0", "proto-47". */
export function portObjectId(p: FirewallPort): string {
  if (p.protocol === 'all') return 'any';
  if (p.fromPort !== undefined) return p.fromPort === p.toPort ? `${p.protocol}-${p.fromPort}` : `${p.protocol}-${p.fromPort}-${p.toPort}`;
  if (p.icmpType !== undefined) return `${p.protocol}-${p.icmpType}${p.icmpCode !== undefined ? `-${p.icmpCode}` : ''}`;
  return /^[0-9]+$/.test(p.protocol) ? `proto-${p.protocol}` : p.protocol;
}

/** Every (zone source, deny) pair: the zone names per family, for the default-deny section. */
export function zonesWithSources(input: FirewallExportInput): { zone: string; sources: FirewallAddress[] }[] {
  return input.zones.filter(z => z.sources.length > 0).map(z => ({ zone: z.name, sources: z.sources }));
}
