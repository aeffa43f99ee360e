/* eslint-disable no-bitwise */ // address arithmetic is bit arithmetic: masks, shifts and words
/**
 * Fast, allocation-free parsing and formatting of IP address text, shared by `Cidr` and the aggregator's
 * hot loop. Internal: not exported from the package root.
 *
 * Addresses are numbers, never bigint: an IPv4 address is one unsigned 32-bit value, an IPv6 address is
 * four unsigned 32-bit words (most significant first). The parsers accept exactly the forms Go's
 * net.ParseCIDR accepts (Calico's parser) for the text they handle, and return a failure for anything
 * else so that callers can fall back to the validating parser (`ip-cidr-parser.ts`) for the error message.
 */

const DEC = Array.from({ length: 256 }, (_, i) => String(i));
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 2 ** i for i in 0..32, for IPv4 block sizes without Math.pow in loops. */
export const POW2: readonly number[] = Array.from({ length: 33 }, (_, i) => 2 ** i);

/**
 * Parses strict dotted-quad IPv4 text in `s[from, to)`: exactly four decimal octets 0-255 and no leading
 * zeros (Go rejects "010.1.1.1" because other tools read it as octal). Returns the address, or -1.
 */
export function parseIPv4(s: string, from: number, to: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * Parses a prefix length in `s[from, to)`: one or more decimal digits (leading zeros allowed, as in Go),
 * at most `max`. Returns the length, or -1.
 */
export function parsePrefixLength(s: string, from: number, to: number, max: number): number {
  if (from >= to) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
    if (n > max) return -1;
  }
  return n;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const groups = new Uint16Array(8);

/**
 * Parses hex-only IPv6 text in `s[from, to)` (groups of 1-4 hex digits, at most one "::" standing for at
 * least one zero group; Go's rules) into `out[o..o+3]`. Returns false for anything else, including forms
 * that may be valid but need the full parser: an embedded dotted quad ("::ffff:1.2.3.4") or a zone.
 */
export function parseIPv6Hex(s: string, from: number, to: number, out: Uint32Array, o: number): boolean {
  let i = from;
  let n = 0;
  let ellipsis = -1;
  if (to - from >= 2 && s.charCodeAt(i) === 58 && s.charCodeAt(i + 1) === 58) {
    ellipsis = 0;
    i += 2;
    if (i === to) {
      out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
      return true;
    }
  }
  while (n < 8) {
    let acc = 0;
    let digits = 0;
    while (i < to) {
      const h = hexDigit(s.charCodeAt(i));
      if (h < 0) break;
      acc = acc * 16 + h;
      if (++digits > 4) return false;
      i++;
    }
    if (digits === 0) return false;
    groups[n++] = acc;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    if (++i === to) return false;
    if (s.charCodeAt(i) === 58) {
      if (ellipsis >= 0) return false;
      ellipsis = n;
      if (++i === to) break;
    }
  }
  if (i !== to) return false;
  if (n < 8) {
    if (ellipsis < 0) return false;
    const tail = n - ellipsis;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k];
    for (let k = ellipsis; k < 8 - tail; k++) groups[k] = 0;
  } else if (ellipsis >= 0) {
    return false;
  }
  out[o] = groups[0] * 65536 + groups[1];
  out[o + 1] = groups[2] * 65536 + groups[3];
  out[o + 2] = groups[4] * 65536 + groups[5];
  out[o + 3] = groups[6] * 65536 + groups[7];
  return true;
}

/** Dotted-quad text of an IPv4 address. */
export function formatIPv4(n: number): string {
  return DEC[n >>> 24] + '.' + DEC[(n >>> 16) & 255] + '.' + DEC[(n >>> 8) & 255] + '.' + DEC[n & 255];
}

function hexGroup(g: number): string {
  return g < 256 ? HEX[g] : HEX[g >>> 8] + HEX2[g & 255];
}

/**
 * RFC 5952 text of an IPv6 address: lower-case, no leading zeros, the longest run (first on a tie) of two
 * or more zero groups compressed to "::", and IPv4-mapped addresses as "::ffff:192.0.2.1" (section 5).
 */
export function formatIPv6(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return '::ffff:' + formatIPv4(w3);
  const g0 = w0 >>> 16; const g1 = w0 & 0xffff; const g2 = w1 >>> 16; const g3 = w1 & 0xffff;
  const g4 = w2 >>> 16; const g5 = w2 & 0xffff; const g6 = w3 >>> 16; const g7 = w3 & 0xffff;
  groups[0] = g0; groups[1] = g1; groups[2] = g2; groups[3] = g3;
  groups[4] = g4; groups[5] = g5; groups[6] = g6; groups[7] = g7;
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let k = 0; k <= 8; k++) {
    if (k < 8 && groups[k] === 0) {
      if (runStart < 0) runStart = k;
    } else if (runStart >= 0) {
      if (k - runStart > bestLen) {
        bestStart = runStart;
        bestLen = k - runStart;
      }
      runStart = -1;
    }
  }
  let text = '';
  if (bestStart < 0) {
    for (let k = 0; k < 8; k++) text += (k ? ':' : '') + hexGroup(groups[k]);
    return text;
  }
  for (let k = 0; k < bestStart; k++) text += (k ? ':' : '') + hexGroup(groups[k]);
  text += '::';
  for (let k = bestStart + bestLen; k < 8; k++) text += (k > bestStart + bestLen ? ':' : '') + hexGroup(groups[k]);
  return text;
}
