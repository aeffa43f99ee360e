import * as ipaddr from 'ipaddr.js';

/**
 * The few IPv4 range facts the data-path validator needs, on top of ipaddr.js.
 * (src/model/cidr.ts is the library's CIDR value object; switch to it once it lands.)
 */
export interface Ipv4Cidr {
  readonly text: string;
  readonly first: number;
  readonly last: number;
}

/** Parses "a.b.c.d/n" (or a bare address as /32); returns a reason string when it is not one. */
export function parseIpv4Cidr(text: unknown): Ipv4Cidr | string {
  if (typeof text !== 'string') return `must be a string, got ${JSON.stringify(text)}`;
  const withLen = text.includes('/') ? text : `${text}/32`;
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(withLen);
  } catch {
    return `"${text}" is not an IPv4 CIDR`;
  }
  const [addr, len] = parsed;
  if (addr.kind() !== 'ipv4' || !ipaddr.IPv4.isValidFourPartDecimal(withLen.split('/')[0])) {
    return `"${text}" is not an IPv4 CIDR (version 1 of the data path is IPv4 only)`;
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(withLen);
  if (network.toString() !== addr.toString()) {
    return `"${text}" has host bits set; did you mean "${network.toString()}/${len}"?`;
  }
  const first = toUint(addr as ipaddr.IPv4);
  const size = 2 ** (32 - len);
  return { text: `${addr.toString()}/${len}`, first, last: first + size - 1 };
}

/** Parses a plain IPv4 address; returns a reason string when it is not one. */
export function parseIpv4Address(text: unknown): string | { text: string } {
  if (typeof text !== 'string' || !ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return `${JSON.stringify(text)} is not an IPv4 address`;
  }
  return { text: ipaddr.IPv4.parse(text).toString() };
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function cidrContainsAddress(c: Ipv4Cidr, address: string): boolean {
  const n = toUint(ipaddr.IPv4.parse(address));
  return c.first <= n && n <= c.last;
}

function toUint(a: ipaddr.IPv4): number {
  return a.octets.reduce((acc, o) => acc * 256 + o, 0);
}
