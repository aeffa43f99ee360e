/**
 * Address-set operations the exporters need, on top of the model's CIDR value objects: aggregation with
 * descriptions, intersection and subtraction (a pool's no-NAT destinations split a rule in two).
 * All results are canonical, aggregated and sorted (IPv4 first), so output is deterministic.
 */
import { FirewallAddress } from './firewall-export-input';
import { Cidr } from '../model/cidr';
import { CidrAggregator } from '../model/cidr-aggregation';
import { IpFamily } from '../model/ip-family';

/** An address with optional description, as declared. */
export interface DescribedCidr {
  readonly cidr: string;
  readonly descriptions?: string[];
}

/** Aggregates addresses (merging adjacent and covered prefixes), keeping every description. */
export function aggregate(entries: DescribedCidr[]): FirewallAddress[] {
  const flat: { cidr: string; description?: string }[] = entries.flatMap(e => (e.descriptions && e.descriptions.length > 0)
    ? e.descriptions.map(d => ({ cidr: e.cidr, description: d }))
    : [{ cidr: e.cidr }]);
  if (flat.length === 0) return [];
  return CidrAggregator.aggregate(flat).map(a => ({
    cidr: a.cidr,
    ipVersion: a.family === IpFamily.IPV4 ? 4 : 6,
    descriptions: [...a.descriptions],
  }));
}

/** The parts of `addresses` inside any of `within`, each keeping its descriptions. */
export function intersect(addresses: FirewallAddress[], within: string[]): FirewallAddress[] {
  const outer = within.map(w => Cidr.parse(w));
  const parts: DescribedCidr[] = [];
  for (const a of addresses) {
    const c = Cidr.parse(a.cidr);
    for (const o of outer) {
      if (o.family !== c.family) continue;
      if (o.contains(c)) parts.push({ cidr: a.cidr, descriptions: a.descriptions });
      else if (c.contains(o)) parts.push({ cidr: o.toString(), descriptions: a.descriptions });
    }
  }
  return aggregate(parts);
}

/** `addresses` minus everything in `exclude`, each remaining piece keeping its descriptions. */
export function subtract(addresses: FirewallAddress[], exclude: string[]): FirewallAddress[] {
  if (exclude.length === 0) return addresses;
  const parts: DescribedCidr[] = [];
  for (const a of addresses) {
    for (const piece of CidrAggregator.subtract([a.cidr], exclude)) {
      parts.push({ cidr: String(piece), descriptions: a.descriptions });
    }
  }
  return aggregate(parts);
}

/** The addresses of one family. */
export function ofFamily(addresses: FirewallAddress[], ipVersion: number): FirewallAddress[] {
  return addresses.filter(a => a.ipVersion === ipVersion);
}

/** The prefixes two lists share (for the "zones share source addresses" warning). */
export function overlap(a: FirewallAddress[], b: FirewallAddress[]): FirewallAddress[] {
  return intersect(a, b.map(x => x.cidr)).map(x => ({ ...x, descriptions: [] }));
}

/** Network address and prefix length of a canonical CIDR ("10.0.0.0/8" → ["10.0.0.0", 8]). */
export function splitCidr(cidr: string): [string, number] {
  const [addr, len] = cidr.split('/');
  return [addr, Number(len)];
}

/** Dotted netmask of an IPv4 prefix length (24 → "255.255.255.0"). */
export function netmask(prefixLength: number): string {
  return [0, 1, 2, 3].map(i => 256 - 2 ** (8 - Math.min(8, Math.max(0, prefixLength - 8 * i)))).join('.');
}
