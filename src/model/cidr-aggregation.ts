/* eslint-disable no-bitwise */ // address arithmetic is bit arithmetic: masks, shifts and words
/**
 * Aggregation of address lists into the minimal set of prefixes, keeping descriptions, and set subtraction.
 *
 * Written here rather than taken from npm: cidr-tools (mergeCidr/excludeCidr) is ESM-only and drops
 * descriptions; ip-num's Pool.aggregate is bigint-based and drops them too; netmask, ip-address and
 * ipaddr.js do not merge at all. Every exporter (Calico, nftables interval sets, iptables, cloud security
 * groups, the agent) needs "which declared entries does this rule come from", so descriptions are kept.
 *
 * Speed matters (large allow-lists, an agent re-aggregating feeds): inputs are parsed once by hand-written
 * parsers (`ip-text.ts`, falling back to the validating ipaddr.js-based parser only for unusual text and
 * for errors), IPv4 prefixes are packed into one float64 (start * 64 + prefix) and sorted natively, IPv6
 * prefixes are four 32-bit words, and a single stack pass drops covered prefixes and merges siblings.
 */
import { ParsedCidr, parseCidrText } from './ip-cidr-parser';
import { IpFamily } from './ip-family';
import { POW2, formatIPv4, formatIPv6, parseIPv4, parseIPv6Hex, parsePrefixLength } from './ip-text';

/** An address or CIDR with an optional description (where it came from, what it is). */
export interface DescribedCidr {
  /** A CIDR ("10.0.0.0/8", "2001:db8::/32") or a bare address. */
  readonly cidr: string;
  /** Why the entry is there; kept on the aggregated prefix that covers it. */
  readonly description?: string;
}

/** One prefix of an aggregated list. */
export interface AggregatedCidr {
  /** Canonical CIDR text, always with a prefix length ("10.0.0.0/24", "2001:db8::/32"). */
  readonly cidr: string;
  /** The address family. */
  readonly family: IpFamily;
  /** The descriptions of every input entry inside this prefix, sorted and de-duplicated. */
  readonly descriptions: string[];
}

/** Options for `CidrAggregator`. */
export interface AggregateOptions {
  /**
   * Reject CIDRs with host bits set ("10.0.0.1/24"), as `Cidr.parse` does; false clears them instead.
   * @default true
   */
  readonly strict?: boolean;
}

const PREFIX_TEXT = Array.from({ length: 129 }, (_, i) => '/' + i);

/**
 * Typed-array working memory, grown on demand and reused across calls: allocating several megabytes of
 * fresh typed arrays per call of 100,000 entries costs more in GC than the aggregation itself. Safe
 * because every call is synchronous and only returns strings and plain objects built from these arrays.
 * The arrays stay allocated for the life of the process: about 60 bytes per entry of the largest call.
 */
class Workspace {
  /** The workspace for the `k`-th list of one call (subtract needs two at a time). */
  public static get(k: number, n: number): Workspace {
    const w = WORKSPACES[k];
    w.ensure(n);
    return w;
  }

  public keys4 = new Float64Array(0);
  public ref = new Float64Array(0);
  public words6 = new Uint32Array(0);
  public prefix6 = new Uint8Array(0);
  public order = new Uint32Array(0);
  public start4 = new Float64Array(0);
  public prefix4 = new Uint8Array(0);
  public stack6 = new Uint32Array(0);
  public stackPrefix6 = new Uint8Array(0);

  private ensure(n: number): void {
    if (this.ref.length >= n) return;
    const size = Math.max(n, this.ref.length * 2, 64);
    this.keys4 = new Float64Array(size);
    this.ref = new Float64Array(size);
    this.words6 = new Uint32Array(4 * size);
    this.prefix6 = new Uint8Array(size);
    this.order = new Uint32Array(size);
    this.start4 = new Float64Array(size);
    this.prefix4 = new Uint8Array(size);
    this.stack6 = new Uint32Array(4 * size);
    this.stackPrefix6 = new Uint8Array(size);
  }
}

const WORKSPACES = [new Workspace(), new Workspace()];

/** Inputs parsed into numbers: IPv4 packed keys, IPv6 words, and per input where its start is. */
class ParsedList {
  public n4 = 0;
  public n6 = 0;
  /** IPv4: start * 64 + prefix (exact: below 2^38). */
  public readonly keys4: Float64Array;
  /** IPv6: four words per prefix. */
  public readonly words6: Uint32Array;
  public readonly prefix6: Uint8Array;
  /** Per input: the IPv4 start (>= 0), or -(IPv6 index + 1). */
  public readonly ref: Float64Array;

  constructor(texts: readonly string[], strict: boolean, field: string, public readonly ws: Workspace) {
    const n = texts.length;
    this.keys4 = ws.keys4;
    this.words6 = ws.words6;
    this.prefix6 = ws.prefix6;
    this.ref = ws.ref;
    for (let i = 0; i < n; i++) {
      const s = texts[i];
      if (typeof s === 'string' && this.fast(s, i, strict)) continue;
      this.add(parseCidrText(s, strict, `${field}[${i}]`), i);
    }
  }

  /** The hand-written path for dotted quads and hex-only IPv6; false to fall back to the full parser. */
  private fast(s: string, i: number, strict: boolean): boolean {
    const slash = s.indexOf('/');
    const end = slash < 0 ? s.length : slash;
    const a = parseIPv4(s, 0, end);
    if (a >= 0) {
      const p = slash < 0 ? 32 : parsePrefixLength(s, slash + 1, s.length, 32);
      if (p < 0) return false;
      const host = a % POW2[32 - p];
      if (host !== 0 && strict) return false;
      this.push4(a - host, p, i);
      return true;
    }
    const w = this.words6;
    const o = this.n6 * 4;
    if (!parseIPv6Hex(s, 0, end, w, o)) return false;
    let p = slash < 0 ? 128 : parsePrefixLength(s, slash + 1, s.length, 128);
    if (p < 0) return false;
    for (let k = 0; k < 4; k++) {
      const keep = p - 32 * k;
      if (keep >= 32) continue;
      const v = w[o + k];
      const host = keep <= 0 ? v : v % POW2[32 - keep];
      if (host !== 0) {
        if (strict) return false;
        w[o + k] = v - host;
      }
    }
    if (p >= 96 && w[o] === 0 && w[o + 1] === 0 && w[o + 2] === 0xffff) {
      // IPv4-mapped: the IPv4 network, as in Cidr.parse.
      this.push4(w[o + 3], p - 96, i);
      return true;
    }
    this.prefix6[this.n6] = p;
    this.ref[i] = -(++this.n6);
    return true;
  }

  private push4(start: number, p: number, i: number): void {
    this.keys4[this.n4++] = start * 64 + p;
    this.ref[i] = start;
  }

  private add(c: ParsedCidr, i: number): void {
    if (c.family === IpFamily.IPV4) {
      this.push4(c.words[0], c.prefix, i);
      return;
    }
    this.words6.set(c.words, this.n6 * 4);
    this.prefix6[this.n6] = c.prefix;
    this.ref[i] = -(++this.n6);
  }
}

/** Minimal IPv4 prefixes, in address order. */
class Merged4 {
  public readonly start: Float64Array;
  public readonly prefix: Uint8Array;
  public readonly count: number;

  constructor(list: ParsedList) {
    const keys = list.keys4.subarray(0, list.n4);
    keys.sort();
    const st = list.ws.start4;
    const sp = list.ws.prefix4;
    let top = -1;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const p = key % 64;
      const start = (key - p) / 64;
      // Sorted by start then shorter prefix first: an entry overlapping the top lies inside it.
      if (top >= 0 && start < st[top] + POW2[32 - sp[top]]) continue;
      st[++top] = start;
      sp[top] = p;
      // Merge sibling halves into their parent, repeatedly: the parent may complete a bigger block.
      while (top > 0) {
        const q = sp[top];
        if (q === 0 || sp[top - 1] !== q) break;
        const lo = st[top - 1];
        if (lo + POW2[32 - q] !== st[top] || lo % POW2[33 - q] !== 0) break;
        sp[--top] = q - 1;
      }
    }
    this.start = st;
    this.prefix = sp;
    this.count = top + 1;
  }

  /** Index of the prefix containing `addr` (a start of some input it covers). */
  public find(addr: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.start[mid] <= addr) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  public text(i: number): string {
    return formatIPv4(this.start[i]) + PREFIX_TEXT[this.prefix[i]];
  }
}

/** Whether the first `p` bits of the words at `a[ai]` and `b[bi]` are equal. */
function samePrefix6(a: Uint32Array, ai: number, b: Uint32Array, bi: number, p: number): boolean {
  for (let k = 0; k < 4; k++) {
    const keep = p - 32 * k;
    if (keep <= 0) return true;
    if (keep < 32) return (a[ai + k] >>> (32 - keep)) === (b[bi + k] >>> (32 - keep));
    if (a[ai + k] !== b[bi + k]) return false;
  }
  return true;
}

function compare6(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  return (a[ai] - b[bi]) || (a[ai + 1] - b[bi + 1]) || (a[ai + 2] - b[bi + 2]) || (a[ai + 3] - b[bi + 3]);
}

/** Minimal IPv6 prefixes, in address order; the same algorithm as `Merged4` on four words. */
class Merged6 {
  public readonly words: Uint32Array;
  public readonly prefix: Uint8Array;
  public readonly count: number;

  constructor(list: ParsedList) {
    const w = list.words6;
    const pfx = list.prefix6;
    const n = list.n6;
    const order = list.ws.order.subarray(0, n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => compare6(w, a * 4, w, b * 4) || (pfx[a] - pfx[b]));
    const st = list.ws.stack6;
    const sp = list.ws.stackPrefix6;
    let top = -1;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const o = i * 4;
      if (top >= 0 && samePrefix6(w, o, st, top * 4, sp[top])) continue;
      top++;
      const t = top * 4;
      st[t] = w[o]; st[t + 1] = w[o + 1]; st[t + 2] = w[o + 2]; st[t + 3] = w[o + 3];
      sp[top] = pfx[i];
      while (top > 0) {
        const q = sp[top];
        // Two distinct networks of length q sharing the first q-1 bits are the two halves of one parent.
        if (q === 0 || sp[top - 1] !== q || !samePrefix6(st, top * 4, st, top * 4 - 4, q - 1)) break;
        sp[--top] = q - 1;
      }
    }
    this.words = st;
    this.prefix = sp;
    this.count = top + 1;
  }

  /** Index of the prefix containing the address at `w[o]`. */
  public find(w: Uint32Array, o: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compare6(this.words, mid * 4, w, o) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  public text(i: number): string {
    const t = i * 4;
    const w = this.words;
    return formatIPv6(w[t], w[t + 1], w[t + 2], w[t + 3]) + PREFIX_TEXT[this.prefix[i]];
  }
}

/**
 * The descriptions of each merged prefix, sorted and without repeats. Published ranges repeat a few hundred
 * descriptions over 100,000 entries: descriptions become numbers in sorted order, each (prefix, description)
 * pair one number in a typed array, and one numeric sort puts every prefix's descriptions in order.
 */
function describe(entries: DescribedCidr[], parsed: ParsedList, m4: Merged4, m6: Merged6): (string[] | undefined)[] {
  const ids = new Map<string, number>();
  let pairs = 0;
  for (const e of entries) {
    if (!e.description) continue;
    pairs++;
    if (!ids.has(e.description)) ids.set(e.description, 0);
  }
  const names = [...ids.keys()].sort();
  names.forEach((d, i) => ids.set(d, i));
  const d = names.length;
  const keys = new Float64Array(pairs);
  let k = 0;
  for (let i = 0; i < entries.length; i++) {
    const description = entries[i].description;
    if (!description) continue;
    const r = parsed.ref[i];
    const at = r >= 0 ? m4.find(r) : m4.count + m6.find(parsed.words6, (-r - 1) * 4);
    keys[k++] = at * d + ids.get(description)!;
  }
  keys.sort();
  const out = new Array<string[] | undefined>(m4.count + m6.count);
  let previous = -1;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === previous) continue;
    previous = key;
    const at = Math.floor(key / d);
    const name = names[key - at * d];
    const list = out[at];
    if (list === undefined) out[at] = [name];
    else list.push(name);
  }
  return out;
}

/** A prefix as bigint, for subtraction (not a hot path). */
interface BigPrefix { readonly start: bigint; readonly prefix: number }

function bigPrefixes4(m: Merged4): BigPrefix[] {
  return Array.from({ length: m.count }, (_, i) => ({ start: BigInt(m.start[i]), prefix: m.prefix[i] }));
}

function bigPrefixes6(m: Merged6): BigPrefix[] {
  return Array.from({ length: m.count }, (_, i) => {
    const w = m.words;
    const t = i * 4;
    const start = (BigInt(w[t]) << 96n) | (BigInt(w[t + 1]) << 64n) | (BigInt(w[t + 2]) << 32n) | BigInt(w[t + 3]);
    return { start, prefix: m.prefix[i] };
  });
}

/**
 * `include` minus `exclude` for one family, both minimal and sorted. Excluded prefixes inside an included
 * one are carved out by halving: each half without an exclusion is kept whole, so results are maximal
 * prefixes, and because the inputs are aggregated no two results are mergeable siblings.
 */
function subtractFamily(include: BigPrefix[], exclude: BigPrefix[], bits: number): BigPrefix[] {
  const out: BigPrefix[] = [];
  const end = (p: BigPrefix) => p.start + (1n << BigInt(bits - p.prefix)) - 1n;
  const carve = (start: bigint, prefix: number, inside: BigPrefix[]): void => {
    if (inside.length === 0) {
      out.push({ start, prefix });
      return;
    }
    if (inside[0].prefix === prefix) return; // the whole block is excluded
    const mid = start + (1n << BigInt(bits - prefix - 1));
    carve(start, prefix + 1, inside.filter(e => e.start < mid));
    carve(mid, prefix + 1, inside.filter(e => e.start >= mid));
  };
  let j = 0;
  for (const inc of include) {
    const incEnd = end(inc);
    while (j < exclude.length && end(exclude[j]) < inc.start) j++;
    const inside: BigPrefix[] = [];
    let covered = false;
    for (let k = j; k < exclude.length && exclude[k].start <= incEnd; k++) {
      if (exclude[k].prefix <= inc.prefix) covered = true; // prefixes nest or are disjoint: it contains inc
      else inside.push(exclude[k]);
    }
    if (!covered) carve(inc.start, inc.prefix, inside);
  }
  return out;
}

function formatBig(family: IpFamily, p: BigPrefix): string {
  if (family === IpFamily.IPV4) return formatIPv4(Number(p.start)) + PREFIX_TEXT[p.prefix];
  const w = [96n, 64n, 32n, 0n].map(s => Number((p.start >> s) & 0xffffffffn));
  return formatIPv6(w[0], w[1], w[2], w[3]) + PREFIX_TEXT[p.prefix];
}

/**
 * Address-list arithmetic on CIDR text: aggregation into minimal prefixes (keeping descriptions) and
 * subtraction. Results are canonical and sorted: IPv4 first, then by address, then by prefix length.
 */
export class CidrAggregator {
  /**
   * The minimal set of prefixes covering exactly the addresses of `entries`: prefixes inside others are
   * dropped, sibling halves merged (10.0.0.0/25 + 10.0.0.128/25 → 10.0.0.0/24, but 10.0.0.128/25 +
   * 10.0.1.0/25 stay two). Each result carries the descriptions of every entry it covers.
   * Throws `EgressValidationError` (field `entries[i]`) for bad input.
   */
  public static aggregate(entries: DescribedCidr[], options: AggregateOptions = {}): AggregatedCidr[] {
    const n = entries.length;
    const texts = new Array<string>(n);
    let described = false;
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      texts[i] = e.cidr;
      if (e.description) described = true;
    }
    const parsed = new ParsedList(texts, options.strict ?? true, 'entries', Workspace.get(0, n));
    const m4 = new Merged4(parsed);
    const m6 = new Merged6(parsed);

    const descriptions = described ? describe(entries, parsed, m4, m6) : new Array<string[] | undefined>(m4.count + m6.count);
    const out = new Array<AggregatedCidr>(m4.count + m6.count);
    for (let i = 0; i < m4.count; i++) {
      out[i] = { cidr: m4.text(i), family: IpFamily.IPV4, descriptions: descriptions[i] ?? [] };
    }
    for (let i = 0; i < m6.count; i++) {
      out[m4.count + i] = { cidr: m6.text(i), family: IpFamily.IPV6, descriptions: descriptions[m4.count + i] ?? [] };
    }
    return out;
  }

  /** `aggregate` without descriptions: the minimal prefixes covering `cidrs`, as canonical text. */
  public static merge(cidrs: string[], options: AggregateOptions = {}): string[] {
    const parsed = new ParsedList(cidrs, options.strict ?? true, 'cidrs', Workspace.get(0, cidrs.length));
    const m4 = new Merged4(parsed);
    const m6 = new Merged6(parsed);
    const out = new Array<string>(m4.count + m6.count);
    for (let i = 0; i < m4.count; i++) out[i] = m4.text(i);
    for (let i = 0; i < m6.count; i++) out[m4.count + i] = m6.text(i);
    return out;
  }

  /**
   * The addresses of `include` that are not in `exclude`, as minimal canonical prefixes
   * ("10.0.0.0/8" minus "10.1.0.0/16" → 10.0.0.0/16, 10.2.0.0/15, …, 10.128.0.0/9).
   * What a firewall without "except" needs, and what Cilium's `except` lists mean.
   */
  public static subtract(include: string[], exclude: string[], options: AggregateOptions = {}): string[] {
    const strict = options.strict ?? true;
    const inc = new ParsedList(include, strict, 'include', Workspace.get(0, include.length));
    const exc = new ParsedList(exclude, strict, 'exclude', Workspace.get(1, exclude.length));
    const v4 = subtractFamily(bigPrefixes4(new Merged4(inc)), bigPrefixes4(new Merged4(exc)), 32);
    const v6 = subtractFamily(bigPrefixes6(new Merged6(inc)), bigPrefixes6(new Merged6(exc)), 128);
    return [...v4.map(p => formatBig(IpFamily.IPV4, p)), ...v6.map(p => formatBig(IpFamily.IPV6, p))];
  }

  private constructor() {}
}
