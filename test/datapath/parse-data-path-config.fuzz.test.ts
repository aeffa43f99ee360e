/**
 * Issue 21, item 10: whatever the document holds, the parser answers with a located DataPathConfigError,
 * never a TypeError (a pool whose CIDR did not parse once crashed the NAT pools' overlap check).
 */
import * as fc from 'fast-check';
import { validDocument } from './data-path-fixture';
import { DataPathConfigError, parseDataPathConfig } from '../../src/datapath';

/** The fixture with a second NAT pool, so the checks between pools (overlap, unique names) have two to compare. */
function twoPools(): any {
  const d = validDocument();
  d.natPools.push({ name: 'ops', cidr: '10.201.60.0/24', noNatCidrs: [] });
  return d;
}

/** Where a value sits in the document: the containers on the way and the last key. */
type Slot = { parent: any; key: string | number };

function slots(v: any, out: Slot[] = []): Slot[] {
  if (v === null || typeof v !== 'object') return out;
  for (const key of Array.isArray(v) ? v.keys() : Object.keys(v)) {
    out.push({ parent: v, key });
    slots(v[key], out);
  }
  return out;
}

// Values the fields of a data-path document hold, each valid for some field and wrong for most others.
const NEAR_VALID = ['10.9.0.0/33', 'fd00::/64', '2001:db8::1', '10.201.50.0/24', '10.201.50.1/24', '', 'x', 'gw', '443', '90-80',
  '198.19.100.1', 'tcp', 'icmp', 'any', -1, 0, 1, 63, 64, 4789, 1.5, 2 ** 32, true, false, null, [], {}, ['10.0.0.0/8'], { name: 'gw' }];

type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...NEAR_VALID), fc.jsonValue({ maxDepth: 2 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
);

function mutate(doc: any, mutations: Mutation[]): any {
  for (const m of mutations) {
    const all = slots(doc);
    if (all.length === 0) break;
    const { parent, key } = all[m.at % all.length];
    if (m.kind === 'replace') parent[key] = structuredClone(m.value);
    else if (m.kind === 'delete') Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
    else if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
    else parent[`${key}`] = structuredClone(parent[key]);
  }
  return doc;
}

/** Runs the parser: undefined when it accepts, else what it threw. */
function outcome(input: unknown): unknown {
  try {
    parseDataPathConfig(input);
    return undefined;
  } catch (e) {
    return e;
  }
}

function expectLocated(e: unknown, input: unknown): void {
  if (e === undefined) return;
  if (!(e instanceof DataPathConfigError)) throw new Error(`${(e as Error)?.stack ?? e}\n  for ${JSON.stringify(input).slice(0, 2000)}`);
  expect(e.problems.length).toBeGreaterThan(0);
  for (const p of e.problems) expect(p.path).toMatch(/^\$/);
}

test.each([['an invalid', '10.9.0.0/33'], ['an IPv6', 'fd00::/64'], ['a non-CIDR', 'x'], ['a missing', undefined]])(
  'two NAT pools, one with %s CIDR: a located error', (_what, cidr) => {
    const d = twoPools();
    d.natPools[1].cidr = cidr;
    const e = outcome(d);
    expect(e).toBeInstanceOf(DataPathConfigError);
    expect((e as DataPathConfigError).problems.map(p => p.path)).toEqual(['$.natPools[1].cidr']);
  });

test('mutated documents: accepted, or rejected with a located DataPathConfigError', () => {
  fc.assert(fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), mutations => {
    const doc = mutate(twoPools(), mutations);
    expectLocated(outcome(doc), doc);
  }), { numRuns: 3000, seed: 21 });
});

test('mutated text: accepted, or rejected with a located DataPathConfigError', () => {
  const text = JSON.stringify(twoPools());
  fc.assert(fc.property(fc.nat(text.length), fc.nat(8), fc.string({ maxLength: 6 }), (at, cut, insert) => {
    const mutated = text.slice(0, at) + insert + text.slice(Math.min(text.length, at + cut));
    expectLocated(outcome(mutated), mutated);
  }), { numRuns: 3000, seed: 21 });
});
