/* eslint-disable no-bitwise */ // address arithmetic is bit arithmetic: masks, shifts and words
// The numeric core of CidrAggregator (cidr-aggregation.ts): address lists parsed once into numbers, and
// merged into minimal prefixes per family. Its own file because it is the hot path, written for speed
// (typed arrays reused across calls, packed IPv4 keys), apart from the public API and its descriptions.
import { ParsedCidr, parseCidrText } from './ip-cidr-parser';
import { IpFamily } from './ip-family';
import { POW2, formatIPv4, formatIPv6, parseIPv4, parseIPv6Hex, parsePrefixLength } from './ip-text';

export const PREFIX_TEXT = Array.from({ length: 129 }, (_, i) => '/' + i);

/**
 * Typed-array working memory, grown on demand and reused across calls: allocating several megabytes of
 * fresh typed arrays per call of 100,000 entries costs more in GC than the aggregation itself. Safe
 * because every call is synchronous and only returns strings and plain objects built from these arrays.
 * The arrays stay allocated for the life of the process: about 60 bytes per entry of the largest call.
 */
export class Workspace {
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
export class ParsedList {
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
export class Merged4 {
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
export class Merged6 {
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

