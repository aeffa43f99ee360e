/* eslint-disable no-bitwise */ // address arithmetic is bit arithmetic: masks, shifts and words
// CidrAggregator.subtract's arithmetic (cidr-aggregation.ts): minimal prefixes minus minimal prefixes, on
// bigint (not a hot path, and one algorithm for both families).
import { IpFamily } from './ip-family';
import { formatIPv4, formatIPv6 } from './ip-text';
import { Merged4, Merged6, ParsedList, PREFIX_TEXT } from './prefix-merge';

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


/** The addresses of `include` not in `exclude`, as minimal canonical prefixes, IPv4 first. */
export function subtractPrefixes(include: ParsedList, exclude: ParsedList): string[] {
  const v4 = subtractFamily(bigPrefixes4(new Merged4(include)), bigPrefixes4(new Merged4(exclude)), 32);
  const v6 = subtractFamily(bigPrefixes6(new Merged6(include)), bigPrefixes6(new Merged6(exclude)), 128);
  return [...v4.map(p => formatBig(IpFamily.IPV4, p)), ...v6.map(p => formatBig(IpFamily.IPV6, p))];
}
