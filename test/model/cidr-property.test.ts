/* eslint-disable no-bitwise */ // the oracle does address arithmetic on bigints
/**
 * Property tests for CIDR parsing and aggregation. The oracle is independent of the code under test:
 * inputs are generated as numbers (start, prefix) and printed here; outputs are read back with ipaddr.js.
 */
import * as fc from 'fast-check';
import * as ipaddr from 'ipaddr.js';
import { Cidr } from '../../src/model/cidr';
import { AggregatedCidr, CidrAggregator, DescribedCidr } from '../../src/model/cidr-aggregation';
import { IpFamily } from '../../src/model/ip-family';
import { parseIPv4, parseIPv6Hex } from '../../src/model/ip-text';

interface Range { readonly v6: boolean; readonly start: bigint; readonly end: bigint; readonly prefix: number }

const bitsOf = (v6: boolean) => (v6 ? 128 : 32);
const MAX4 = 2n ** 32n - 1n;
const MAX6 = 2n ** 128n - 1n;

function net(v6: boolean, addr: bigint, prefix: number): Range {
  const host = BigInt(bitsOf(v6) - prefix);
  const start = (addr >> host) << host;
  return { v6, start, end: start + (1n << host) - 1n, prefix };
}

/** Test-side printing: dotted quad, or eight uncompressed groups (so the parser's compression is exercised). */
function text(r: Range): string {
  if (!r.v6) return [24n, 16n, 8n, 0n].map(s => String((r.start >> s) & 255n)).join('.') + '/' + r.prefix;
  return Array.from({ length: 8 }, (_, k) => ((r.start >> BigInt(112 - 16 * k)) & 0xffffn).toString(16)).join(':') + '/' + r.prefix;
}

/** Reads canonical output back with ipaddr.js (not our parser). */
function rangeOf(cidr: string): Range {
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  const v6 = addr.kind() === 'ipv6';
  const start = addr.toByteArray().reduce((a, b) => (a << 8n) | BigInt(b), 0n);
  return net(v6, start, prefix);
}

const inAny = (ranges: Range[], v6: boolean, a: bigint) => ranges.some(r => r.v6 === v6 && r.start <= a && a <= r.end);
const within = (inner: Range, outer: Range) => inner.v6 === outer.v6 && outer.start <= inner.start && inner.end <= outer.end;

// Networks: clustered ones (so containment and sibling merges are common), anywhere, and at the top edge.
// IPv6 never lands in ::ffff:0:0/96, which the model reads as IPv4 (covered by unit tests).
const v4Net = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 22, max: 32 })).map(([o, p]) => net(false, 0x0a000000n + BigInt(o), p)),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })).map(([o, p]) => net(false, MAX4 - BigInt(o), p)),
  fc.tuple(fc.bigInt({ min: 0n, max: MAX4 }), fc.integer({ min: 0, max: 32 })).map(([a, p]) => net(false, a, p)),
);
const v6Net = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 1023 }), fc.integer({ min: 118, max: 128 }))
    .map(([o, p]) => net(true, 0x20010db8n << 96n | BigInt(o), p)),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 120, max: 128 })).map(([o, p]) => net(true, MAX6 - BigInt(o), p)),
  fc.tuple(fc.bigInt({ min: 0n, max: MAX6 }), fc.integer({ min: 0, max: 128 })).map(([a, p]) => net(true, a, p)),
).filter(r => r.start >> 32n !== 0xffffn);
const anyNet = fc.oneof(v4Net, v6Net);
const described = fc.record({ range: anyNet, description: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: undefined }) });
const entryList = fc.array(described, { maxLength: 60 });
const probes = fc.array(fc.oneof(
  fc.bigInt({ min: 0x0a000000n, max: 0x0a0003ffn }).map(a => ({ v6: false, a })),
  fc.bigInt({ min: 0n, max: MAX4 }).map(a => ({ v6: false, a })),
  fc.bigInt({ min: 0x20010db8n << 96n, max: (0x20010db8n << 96n) + 1023n }).map(a => ({ v6: true, a })),
  fc.bigInt({ min: 0n, max: MAX6 }).map(a => ({ v6: true, a })),
), { maxLength: 40 });

/** Boundary addresses of every range: first, last, and the neighbours just outside. */
function boundaries(ranges: Range[]): Array<{ v6: boolean; a: bigint }> {
  return ranges.flatMap(r => [r.start - 1n, r.start, r.end, r.end + 1n]
    .filter(a => a >= 0n && a <= (r.v6 ? MAX6 : MAX4))
    .map(a => ({ v6: r.v6, a })));
}

function aggregateOf(list: Array<{ range: Range; description?: string }>): AggregatedCidr[] {
  return CidrAggregator.aggregate(list.map((e): DescribedCidr => ({ cidr: text(e.range), description: e.description })));
}

describe('aggregation properties', () => {
  test('covers exactly the same addresses (random probes and every boundary)', () => {
    fc.assert(fc.property(entryList, probes, (list, extra) => {
      const inputs = list.map(e => e.range);
      const out = aggregateOf(list);
      const outputs = out.map(o => rangeOf(o.cidr));
      out.forEach((o, i) => expect(o.family).toBe(outputs[i].v6 ? IpFamily.IPV6 : IpFamily.IPV4));
      for (const { v6, a } of [...extra, ...boundaries(inputs), ...boundaries(outputs)]) {
        expect(inAny(outputs, v6, a)).toBe(inAny(inputs, v6, a));
      }
    }), { numRuns: 300 });
  });

  test('is minimal, sorted and canonical: no overlaps, no mergeable siblings, IPv4 first', () => {
    fc.assert(fc.property(entryList, list => {
      const out = aggregateOf(list);
      const ranges = out.map(o => rangeOf(o.cidr));
      for (let i = 1; i < ranges.length; i++) {
        const [a, b] = [ranges[i - 1], ranges[i]];
        expect(a.v6 && !b.v6).toBe(false);
        if (a.v6 === b.v6) expect(a.end < b.start).toBe(true);
      }
      for (const a of ranges) {
        for (const b of ranges) {
          const siblings = a !== b && a.v6 === b.v6 && a.prefix === b.prefix && a.prefix > 0 &&
            net(a.v6, a.start, a.prefix - 1).start === net(b.v6, b.start, b.prefix - 1).start;
          expect(siblings).toBe(false);
        }
      }
      for (const o of out) {
        const [addr, prefix] = o.cidr.split('/');
        expect(`${ipaddr.parse(addr).toString()}/${prefix}`).toBe(o.cidr); // ipaddr.js prints RFC 5952 too
        expect(Cidr.parse(o.cidr).toString()).toBe(o.cidr);
      }
    }), { numRuns: 300 });
  });

  test('keeps exactly the descriptions of the entries each output covers', () => {
    fc.assert(fc.property(entryList, list => {
      const out = aggregateOf(list);
      const ranges = out.map(o => rangeOf(o.cidr));
      for (const e of list) expect(ranges.filter(r => within(e.range, r))).toHaveLength(1);
      out.forEach((o, i) => {
        const expected = [...new Set(list.filter(e => e.description && within(e.range, ranges[i])).map(e => e.description!))].sort();
        expect(o.descriptions).toEqual(expected);
      });
    }), { numRuns: 300 });
  });

  test('is idempotent and independent of input order', () => {
    fc.assert(fc.property(entryList, list => {
      const out = aggregateOf(list);
      const again = CidrAggregator.aggregate(out.flatMap(o => (o.descriptions.length > 0
        ? o.descriptions.map(description => ({ cidr: o.cidr, description }))
        : [{ cidr: o.cidr }])));
      expect(again).toEqual(out);
      expect(aggregateOf([...list].reverse())).toEqual(out);
    }), { numRuns: 200 });
  });
});

describe('subtraction properties', () => {
  const nets = fc.array(anyNet, { maxLength: 25 });
  test('include minus exclude holds exactly the included, non-excluded addresses, minimally', () => {
    fc.assert(fc.property(nets, nets, probes, (inc, exc, extra) => {
      const out = CidrAggregator.subtract(inc.map(text), exc.map(text));
      const ranges = out.map(rangeOf);
      for (const { v6, a } of [...extra, ...boundaries(inc), ...boundaries(exc), ...boundaries(ranges)]) {
        expect(inAny(ranges, v6, a)).toBe(inAny(inc, v6, a) && !inAny(exc, v6, a));
      }
      expect(CidrAggregator.merge(out)).toEqual(out);
    }), { numRuns: 300 });
  });
});

describe('fast parsers agree with the validating parser', () => {
  const hexDigits = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 1, maxLength: 4 });
  const octet = fc.oneof(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('00', '01', '010', '256', '999', '', '1a'));
  const dotted = fc.array(octet, { minLength: 3, maxLength: 5 }).map(o => o.join('.'));
  // IPv6-ish text: groups with an optional "::" somewhere, an optional dotted tail, and junk now and then.
  const v6Text = fc.tuple(
    fc.array(hexDigits, { minLength: 0, maxLength: 9 }),
    fc.integer({ min: -1, max: 9 }),
    fc.option(dotted, { nil: undefined }),
  ).map(([gs, at, tail]) => {
    const parts = [...gs];
    if (at >= 0 && at <= parts.length) parts.splice(at, 0, '');
    let t = parts.join(':');
    if (t.startsWith(':') && !t.startsWith('::')) t = ':' + t;
    if (t.endsWith(':') && !t.endsWith('::')) t += ':';
    return tail === undefined ? t : `${t}:${tail}`;
  });
  const junk = fc.string({ unit: fc.constantFrom(...'0123456789abf:.%/ '), maxLength: 20 });
  const prefix = fc.option(fc.oneof(fc.integer({ min: 0, max: 130 }).map(String), fc.constantFrom('', '08', 'x')), { nil: undefined });
  const cidrText = fc.tuple(fc.oneof(v6Text, dotted, junk), prefix).map(([a, p]) => (p === undefined ? a : `${a}/${p}`));

  test('aggregation\'s hand-written path gives what Cidr.parse gives, or the same error', () => {
    const outcome = (fn: () => string) => {
      try {
        return fn();
      } catch (e) {
        // Drop the field name and the factory named (the two entry points differ in both, not in the reason).
        return `error: ${(e as Error).message.replace(/^\S+ /, '').replace(/ \(in Cidr\.parse(Lenient)?\(\)\)/, '')}`;
      }
    };
    fc.assert(fc.property(cidrText, fc.boolean(), (t, strict) => {
      const viaCidr = outcome(() => (strict ? Cidr.parse(t) : Cidr.parseLenient(t)).toString());
      const viaAggregator = outcome(() => CidrAggregator.merge([t], { strict }).join(','));
      expect(viaAggregator).toBe(viaCidr);
    }), { numRuns: 3000 });
  });

  test('hex-only IPv6 text: accepted exactly when ipaddr.js accepts it, with the same value', () => {
    const out = new Uint32Array(4);
    fc.assert(fc.property(v6Text.filter(t => !t.includes('.')), t => {
      const ok = parseIPv6Hex(t, 0, t.length, out, 0);
      expect(ok).toBe(ipaddr.IPv6.isValid(t));
      if (ok) {
        const parts = ipaddr.IPv6.parse(t).parts;
        expect(Array.from(out)).toEqual([0, 2, 4, 6].map(k => parts[k] * 65536 + parts[k + 1]));
      }
    }), { numRuns: 3000 });
  });

  test('dotted quads: accepted exactly when ipaddr.js calls them four-part decimal, with the same value', () => {
    fc.assert(fc.property(fc.oneof(dotted, junk), t => {
      const v = parseIPv4(t, 0, t.length);
      expect(v >= 0).toBe(ipaddr.IPv4.isValidFourPartDecimal(t));
      if (v >= 0) expect(v).toBe(ipaddr.IPv4.parse(t).toByteArray().reduce((a, b) => a * 256 + b, 0));
    }), { numRuns: 3000 });
  });
});
