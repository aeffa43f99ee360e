/**
 * The validating CIDR parser behind `Cidr.parse` and the aggregator's fallback: accepts what Go's
 * net.ParseCIDR (used by Calico) accepts, plus bare addresses (/32, /128), and explains everything else.
 * Internal: not exported from the package root.
 *
 * ipaddr.js validates the address syntax; on top of it we reject what Go rejects and ipaddr.js allows:
 * zones ("fe80::1%eth0"), legacy IPv4 forms ("010.1.1.1" is octal to inet_aton but decimal elsewhere,
 * "10.1", "0x0a.0.0.1") and such forms inside IPv6 ("::ffff:01.2.3.4").
 */
import * as ipaddr from 'ipaddr.js';
import { EgressValidationError } from './errors';
import { IpFamily } from './ip-family';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6Hex, parsePrefixLength } from './ip-text';

/** A parsed network: its family, prefix length and network address (host bits clear) as 32-bit words. */
export interface ParsedCidr {
  readonly family: IpFamily;
  readonly prefix: number;
  /** One word for IPv4, four (most significant first) for IPv6. */
  readonly words: number[];
}

const scratch = new Uint32Array(4);

/** The words of `words` with every bit after the first `prefix` bits cleared. */
export function maskWords(words: readonly number[], prefix: number): number[] {
  return words.map((w, k) => {
    const keep = Math.min(32, Math.max(0, prefix - 32 * k));
    if (keep === 32) return w;
    if (keep === 0) return 0;
    return (w - (w % 2 ** (32 - keep)));
  });
}

/** Canonical CIDR text of a parsed network ("10.0.0.0/8", "2001:db8::/32"). */
export function formatParsed(p: ParsedCidr): string {
  return formatWords(p.family, p.words) + '/' + p.prefix;
}

/** Canonical text of an address given as words. */
export function formatWords(family: IpFamily, w: readonly number[]): string {
  return family === IpFamily.IPV4 ? formatIPv4(w[0]) : formatIPv6(w[0], w[1], w[2], w[3]);
}

/**
 * IPv4-mapped IPv6 networks (::ffff:a.b.c.d/96 and longer) become the IPv4 network they map, as in Go and
 * therefore Calico (whose Version() is 4 for them): IPv4 traffic never carries them on the wire, so a
 * firewall entry in an IPv6 set would never match.
 */
export function unmapWords(family: IpFamily, words: number[], prefix: number): ParsedCidr {
  if (family === IpFamily.IPV6 && prefix >= 96 && words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
    return { family: IpFamily.IPV4, prefix: prefix - 96, words: [words[3]] };
  }
  return { family, prefix, words };
}

function fail(field: string, text: string, reason: string, hint?: string): never {
  throw new EgressValidationError(field, text, reason, undefined, hint ?? 'an address or CIDR, e.g. "203.0.113.0/24", "198.51.100.7" or "2001:db8::/32"');
}

/** Parses the address part of `text` (no prefix) into its family and words, or throws. */
export function parseAddressPart(addr: string, text: string, field: string): { family: IpFamily; words: number[] } {
  if (addr.includes('%')) {
    fail(field, text, `has an IPv6 zone ("${addr.slice(addr.indexOf('%'))}"), which CIDRs cannot carry`,
      `remove "${addr.slice(addr.indexOf('%'))}"`);
  }
  if (addr.includes(':')) {
    // Hex-only text (the usual case) is read by our Go-rule parser alone, which accepts only what Go accepts:
    // one parse instead of two. Anything else (an embedded dotted quad, an error) goes the long way below.
    if (addr.indexOf('.') < 0 && parseIPv6Hex(addr, 0, addr.length, scratch, 0)) return { family: IpFamily.IPV6, words: Array.from(scratch) };
    if (!ipaddr.IPv6.isValid(addr)) fail(field, text, 'is not a valid IPv6 address or CIDR');
    // Values come from our Go-rule parser, not ipaddr.js: ipaddr.js reads the deprecated IPv4-compatible
    // "::1.2.3.4" as IPv4-mapped ::ffff:1.2.3.4, where Go (and so Calico) reads ::102:304.
    let hex = addr;
    if (addr.includes('.')) {
      const colon = addr.lastIndexOf(':');
      const tail = addr.slice(colon + 1);
      const v4 = parseIPv4(tail, 0, tail.length);
      if (v4 < 0) {
        fail(field, text, `has an embedded IPv4 part "${tail}" that is not a plain dotted quad (leading zeros are read as octal by some tools)`);
      }
      hex = addr.slice(0, colon + 1) + Math.floor(v4 / 65536).toString(16) + ':' + (v4 % 65536).toString(16);
    }
    if (!parseIPv6Hex(hex, 0, hex.length, scratch, 0)) fail(field, text, 'is not a valid IPv6 address or CIDR');
    return { family: IpFamily.IPV6, words: Array.from(scratch) };
  }
  const v4 = parseIPv4(addr, 0, addr.length);
  if (v4 >= 0) return { family: IpFamily.IPV4, words: [v4] };
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr) && addr.split('.').every(o => Number(o) <= 255)) {
    const decimal = addr.split('.').map(o => String(Number(o))).join('.');
    const octal = ipaddr.IPv4.isValid(addr) ? ` (or ${ipaddr.IPv4.parse(addr).toString()}, if the zero meant octal)` : '';
    fail(field, text, 'has an IPv4 octet with a leading zero, which some tools read as octal and others as decimal',
      `did you mean ${text.replace(addr, decimal)}${octal}?`);
  }
  if (ipaddr.IPv4.isValid(addr)) {
    fail(field, text, 'is a shorthand, octal or hex IPv4 form that Calico rejects',
      `write four decimal octets, e.g. ${formatIPv4(ipaddr.IPv4.parse(addr).toByteArray().reduce((a, b) => a * 256 + b, 0))}`);
  }
  return fail(field, text, 'is not an IPv4 or IPv6 address or CIDR');
}

/**
 * Parses a CIDR or bare address. `strict` rejects host bits set after the prefix (with the network as a
 * hint); otherwise they are masked off. Throws `EgressValidationError` with `field` on bad input.
 */
export function parseCidrText(text: string, strict: boolean, field = 'cidr'): ParsedCidr {
  const { network, hostBits } = parseCidrTextDetailed(text, field);
  if (strict && hostBits) fail(field, text, 'has host bits set', `did you mean ${formatParsed(network)}?`);
  return network;
}

/** Parses leniently and tells whether host bits were set (one parse where callers need both answers). */
export function parseCidrTextDetailed(text: string, field = 'cidr'): { network: ParsedCidr; hostBits: boolean } {
  if (typeof text !== 'string') fail(field, text, 'is not a string');
  if (text.length === 0) fail(field, text, 'is empty');
  if (/\s/.test(text)) {
    const trimmed = text.replace(/\s+/g, '');
    fail(field, text, 'contains whitespace', `did you mean ${trimmed}?`);
  }
  const slash = text.indexOf('/');
  if (slash >= 0 && text.indexOf('/', slash + 1) >= 0) fail(field, text, 'has more than one "/"');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const { family, words } = parseAddressPart(addr, text, field);
  const bits = family === IpFamily.IPV4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    prefix = parsePrefixLength(text, slash + 1, text.length, bits);
    if (prefix < 0) {
      const raw = text.slice(slash + 1);
      if (raw === '') fail(field, text, 'has no prefix length after "/"');
      if (!/^\d+$/.test(raw)) fail(field, text, `has a prefix length "${raw}" that is not a decimal number`);
      fail(field, text, `has a prefix length outside 0-${bits} for ${family}`);
    }
  }
  const masked = maskWords(words, prefix);
  return { network: unmapWords(family, masked, prefix), hostBits: masked.some((w, k) => w !== words[k]) };
}
