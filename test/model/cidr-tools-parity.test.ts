/* eslint-disable no-bitwise */ // generating addresses is bit arithmetic
/**
 * Our aggregation and subtraction give exactly what cidr-tools (the reference JavaScript implementation,
 * ESM-only, so run in a child `node --input-type=module`) gives on a few thousand random prefixes.
 * Not timed: the speed comparison is the benchmark's job.
 *
 * One deliberate difference is kept out of the inputs: IPv4-mapped IPv6 (::ffff:0:0/96), which cidr-tools
 * keeps as IPv6 and we read as IPv4, like Go and Calico.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as fc from 'fast-check';
import { CidrAggregator } from '../../src/model/cidr-aggregation';

const REFERENCE = `
import { mergeCidr, excludeCidr } from 'cidr-tools';
import { readFileSync } from 'node:fs';
const cases = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(cases.map(c => ({ merged: mergeCidr(c.list), excluded: excludeCidr(c.include, c.exclude) }))));
`;

interface Case { list: string[]; include: string[]; exclude: string[] }

function reference(cases: Case[]): Array<{ merged: string[]; excluded: string[] }> {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', REFERENCE], {
    cwd: path.resolve(__dirname, '../..'),
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

function v4(addr: bigint, prefix: number): string {
  const host = BigInt(32 - prefix);
  const a = (addr >> host) << host;
  return [24n, 16n, 8n, 0n].map(s => String((a >> s) & 255n)).join('.') + '/' + prefix;
}

function v6(addr: bigint, prefix: number): string {
  const host = BigInt(128 - prefix);
  const a = (addr >> host) << host;
  return Array.from({ length: 8 }, (_, k) => ((a >> BigInt(112 - 16 * k)) & 0xffffn).toString(16)).join(':') + '/' + prefix;
}

const clusteredV4 = fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 20, max: 32 })).map(([o, p]) => v4(0xc0a80000n + BigInt(o), p));
const anyV4 = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), fc.integer({ min: 4, max: 32 })).map(([a, p]) => v4(a, p));
const clusteredV6 = fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 116, max: 128 }))
  .map(([o, p]) => v6((0x20010db8n << 96n) + BigInt(o), p));
// Above 2^112, so never in ::ffff:0:0/96.
const anyV6 = fc.tuple(fc.bigInt({ min: 2n ** 112n, max: 2n ** 128n - 1n }), fc.integer({ min: 8, max: 128 })).map(([a, p]) => v6(a, p));
const prefixText = fc.oneof(
  { weight: 3, arbitrary: clusteredV4 },
  { weight: 1, arbitrary: anyV4 },
  { weight: 3, arbitrary: clusteredV6 },
  { weight: 1, arbitrary: anyV6 },
);

describe('parity with cidr-tools', () => {
  test('mergeCidr and excludeCidr agree with merge and subtract on random prefix lists', () => {
    const cases: Case[] = [1, 2, 3].map(seed => ({
      list: fc.sample(prefixText, { seed, numRuns: 3000 }),
      include: fc.sample(prefixText, { seed: seed + 100, numRuns: 300 }),
      exclude: fc.sample(prefixText, { seed: seed + 200, numRuns: 1500 }),
    }));
    const expected = reference(cases);
    cases.forEach((c, i) => {
      const merged = CidrAggregator.merge(c.list);
      // The comparison means something only if merging happened and both families are there.
      expect(merged.length).toBeLessThan(c.list.length * 0.9);
      expect(merged.some(m => m.includes(':')) && merged.some(m => !m.includes(':'))).toBe(true);
      expect(merged).toEqual(expected[i].merged);
      expect(CidrAggregator.aggregate(c.list.map(cidr => ({ cidr }))).map(a => a.cidr)).toEqual(expected[i].merged);
      const excluded = CidrAggregator.subtract(c.include, c.exclude);
      expect(excluded.length).toBeGreaterThan(0);
      expect(excluded).not.toEqual(CidrAggregator.merge(c.include)); // the exclusions did cut something
      expect(excluded).toEqual(expected[i].excluded);
    });
  });
});
