import * as ipaddr from 'ipaddr.js';

// Parsing goes through this one function so it can move to the model's `Cidr` (src/model/cidr.ts)
// once that lands, without touching the validators.

/** A CIDR or bare IP as Calico's ParseCIDROrIP reads it (a bare IP is a /32 or /128). */
export interface CidrText {
  /** 4 or 6. */
  readonly version: number;
  /** Prefix length. */
  readonly prefixLength: number;
  /** Whether no host bits are set (Calico's "strictly masked"). */
  readonly masked: boolean;
  /** The address bytes as given (host bits kept). */
  readonly bytes: number[];
}

/** Reads `text` as Go's net.ParseCIDR (or ParseIP) would: undefined when Calico would reject it. */
export function parseCidrText(text: string): CidrText | undefined {
  if (typeof text !== 'string' || text.includes('%') || text.trim() !== text || text === '') return undefined;
  const [addr, len, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  if (addr.includes(':')) {
    if (!ipaddr.IPv6.isValid(addr)) return undefined;
    ip = ipaddr.IPv6.parse(addr);
  } else {
    // Go accepts only dotted quads of decimals without leading zeros; ipaddr.js accepts more ("10.1", hex).
    if (!/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(addr) || !ipaddr.IPv4.isValidFourPartDecimal(addr)) return undefined;
    ip = ipaddr.IPv4.parse(addr);
  }
  const bits = ip.kind() === 'ipv4' ? 32 : 128;
  let prefixLength = bits;
  if (len !== undefined) {
    if (!/^(0|[1-9]\d{0,2})$/.test(len) || Number(len) > bits) return undefined;
    prefixLength = Number(len);
  }
  const bytes = ip.toByteArray();
  return { version: bits === 32 ? 4 : 6, prefixLength, masked: hostBitsZero(bytes, prefixLength), bytes };
}

/** Bit `i` (0 = most significant) of an address. */
function bitAt(bytes: number[], i: number): number {
  return Math.floor(bytes[Math.floor(i / 8)] / 2 ** (7 - (i % 8))) % 2;
}

function hostBitsZero(bytes: number[], prefixLength: number): boolean {
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    if (bitAt(bytes, bit)) return false;
  }
  return true;
}

/** Whether two CIDRs of the same family share any address. */
export function cidrsOverlap(a: CidrText, b: CidrText): boolean {
  if (a.version !== b.version) return false;
  const common = Math.min(a.prefixLength, b.prefixLength);
  for (let bit = 0; bit < common; bit++) {
    if (bitAt(a.bytes, bit) !== bitAt(b.bytes, bit)) return false;
  }
  return true;
}
