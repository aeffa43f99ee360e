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
 * prefixes are four 32-bit words, and a single stack pass drops covered prefixes and merges siblings
 * (prefix-merge.ts). Subtraction is in prefix-subtraction.ts; this file is the API and the descriptions.
 */
import { IpFamily } from './ip-family';
import { Merged4, Merged6, ParsedList, Workspace } from './prefix-merge';
import { subtractPrefixes } from './prefix-subtraction';

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
    return subtractPrefixes(inc, exc);
  }

  private constructor() {}
}
