/* eslint-disable no-bitwise */ // address arithmetic is bit arithmetic: masks, shifts and words
/**
 * An IPv4 or IPv6 network (CIDR), parsed the way Calico parses it and printed canonically.
 */
import { EgressValidationError } from './errors';
import { ParsedCidr, formatWords, parseCidrText, parseCidrTextDetailed } from './ip-cidr-parser';
import { IpFamily } from './ip-family';

export { IpFamily } from './ip-family';

/** The most subnets `Cidr.subnets()` returns: beyond that a caller almost certainly wants something else. */
const MAX_SUBNETS = 65536;

function toBig(words: readonly number[]): bigint {
  let v = 0n;
  for (const w of words) v = (v << 32n) | BigInt(w);
  return v;
}

function toWords(family: IpFamily, v: bigint): number[] {
  if (family === IpFamily.IPV4) return [Number(v)];
  return [96n, 64n, 32n, 0n].map(s => Number((v >> s) & 0xffffffffn));
}

/**
 * An IPv4 or IPv6 network in CIDR notation.
 *
 * Parsing follows Go's net.ParseCIDR (what Calico uses): a bare address means /32 or /128; IPv4 must be
 * four plain decimal octets (no "010.1.1.1", "10.1" or hex); IPv6 zones ("%eth0") are rejected; and
 * IPv4-mapped IPv6 networks (::ffff:a.b.c.d/96 and longer) are the IPv4 network they map, as in Calico.
 * Text is canonical: "10.0.0.0/8", and RFC 5952 for IPv6 ("2001:db8::/32", lower case, longest zero run
 * compressed).
 */
export class Cidr {
  /**
   * Parses a CIDR ("10.0.0.0/8", "2001:db8::/32") or a bare address ("10.0.0.1" = /32).
   * A CIDR with host bits set ("10.0.0.1/24") is an error whose hint names the network.
   */
  public static parse(text: string): Cidr {
    return Cidr.parsed('Cidr.parse()', text, true);
  }

  /** Like `parse`, but clears host bits instead of rejecting them ("10.0.0.1/24" → 10.0.0.0/24). */
  public static parseLenient(text: string): Cidr {
    return Cidr.parsed('Cidr.parseLenient()', text, false);
  }

  /**
   * Parses leniently and says whether the text had host bits set, with one parse.
   * @internal
   */
  public static _parseWithHostBits(text: string): { cidr: Cidr; hostBits: boolean } {
    const { network, hostBits } = parseCidrTextDetailed(text);
    return { cidr: new Cidr(network), hostBits };
  }

  /** Whether `parse(text)` would succeed. */
  public static isValid(text: string): boolean {
    try {
      parseCidrText(text, true);
      return true;
    } catch {
      return false;
    }
  }

  // A problem found before any construct holds the CIDR names the factory the user called.
  private static parsed(factory: string, text: string, strict: boolean): Cidr {
    try {
      return new Cidr(parseCidrText(text, strict));
    } catch (e) {
      throw e instanceof EgressValidationError ? e.calledFrom(factory) : e;
    }
  }

  /** The address family. */
  public readonly family: IpFamily;
  /** The prefix length (0-32 for IPv4, 0-128 for IPv6). */
  public readonly prefixLength: number;
  private readonly bits: number;
  private readonly start: bigint;
  private readonly words: number[];
  // Texts are formatted on first use: an estate parses many more CIDRs than it prints addresses of.
  private networkText?: string;
  private lastText?: string;
  private text?: string;

  private constructor(parsed: ParsedCidr) {
    this.family = parsed.family;
    this.prefixLength = parsed.prefix;
    this.bits = parsed.family === IpFamily.IPV4 ? 32 : 128;
    this.words = parsed.words;
    this.start = toBig(parsed.words);
  }

  /** The first address, canonical ("10.0.0.0"). */
  public get networkAddress(): string {
    return this.networkText ??= formatWords(this.family, this.words);
  }

  /** The last address, canonical ("10.255.255.255"); for IPv4 the broadcast address. */
  public get lastAddress(): string {
    return this.lastText ??= formatWords(this.family, toWords(this.family, this.last));
  }

  /**
   * The number of addresses, 2^(32 or 128 - prefixLength). Always a power of two, so exact as a JavaScript
   * number even for IPv6 (up to 2^128); but arithmetic on values above 2^53 is not exact: use
   * `addressCountString` when printing or comparing large counts.
   */
  public get addressCount(): number {
    return 2 ** (this.bits - this.prefixLength);
  }

  /** The exact number of addresses in decimal ("340282366920938463463374607431768211456" for ::/0). */
  public get addressCountString(): string {
    return this.size.toString();
  }

  /** Whether every address of `other` is in this network (false across families). */
  public contains(other: Cidr): boolean {
    if (other.family !== this.family || other.prefixLength < this.prefixLength) return false;
    const host = BigInt(this.bits - this.prefixLength);
    return (other.start >> host) === (this.start >> host);
  }

  /** Whether the two networks share any address (false across families). */
  public overlaps(other: Cidr): boolean {
    return this.contains(other) || other.contains(this);
  }

  /**
   * Whether the network contains the address `ip` (a bare address; an IPv4-mapped IPv6 address counts as
   * its IPv4 address). Throws for text that is not an address.
   */
  public containsAddress(ip: string): boolean {
    if (typeof ip === 'string' && ip.includes('/')) {
      throw new EgressValidationError('address', ip, 'is a CIDR, not a single address', undefined, 'use contains(Cidr.parse(...))');
    }
    return this.contains(Cidr.parse(ip));
  }

  /** Whether both are the same network (same family, address and prefix length). */
  public sameAs(other: Cidr): boolean {
    return this.family === other.family && this.prefixLength === other.prefixLength && this.start === other.start;
  }

  /**
   * The networks of prefix length `newPrefixLength` that make up this one, in address order
   * ("10.0.0.0/23" split at 24 → 10.0.0.0/24, 10.0.1.0/24). At most 65536 of them.
   */
  public subnets(newPrefixLength: number): Cidr[] {
    if (!Number.isInteger(newPrefixLength) || newPrefixLength < this.prefixLength || newPrefixLength > this.bits) {
      throw new EgressValidationError('newPrefixLength', String(newPrefixLength),
        `is not a prefix length between ${this.prefixLength} and ${this.bits} for ${this}`);
    }
    const count = 2 ** (newPrefixLength - this.prefixLength);
    if (count > MAX_SUBNETS) {
      throw new EgressValidationError('newPrefixLength', String(newPrefixLength),
        `would split ${this} into ${count} subnets, more than ${MAX_SUBNETS}`, undefined,
        `use a prefix length of at most ${this.prefixLength + 16}`);
    }
    const step = 1n << BigInt(this.bits - newPrefixLength);
    const out: Cidr[] = [];
    for (let i = 0; i < count; i++) {
      const words = toWords(this.family, this.start + BigInt(i) * step);
      out.push(new Cidr({ family: this.family, prefix: newPrefixLength, words }));
    }
    return out;
  }

  /**
   * The address at offset `n` from the network address (0 = network address); negative offsets count back
   * from the end (-1 = last address). `n` must be a safe integer inside the network.
   */
  public nthAddress(n: number): string {
    const size = this.size;
    if (!Number.isSafeInteger(n) || BigInt(n) >= size || -BigInt(n) > size) {
      throw new EgressValidationError('n', String(n), `is not an address offset inside ${this} (${this.addressCountString} addresses)`);
    }
    const offset = n >= 0 ? BigInt(n) : size + BigInt(n);
    return formatWords(this.family, toWords(this.family, this.start + offset));
  }

  /** Canonical CIDR text ("10.0.0.0/8", "2001:db8::/32"); bare addresses get /32 or /128. */
  public toString(): string {
    return this.text ??= this.networkAddress + '/' + this.prefixLength;
  }

  private get size(): bigint {
    return 1n << BigInt(this.bits - this.prefixLength);
  }

  private get last(): bigint {
    return this.start + this.size - 1n;
  }
}
