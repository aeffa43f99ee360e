/**
 * The fast YAML writer against cdk8s's own serializer, byte for byte: random documents over an adversarial
 * alphabet (YAML 1.1 words, numbers as strings, indicators, quotes, control characters, long keys, ...) and
 * realistic Kubernetes / Calico strings. The fast path must never differ; the counts of documents on each
 * path keep the tests from passing by always falling back.
 */
import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { resetYamlWriterStats, stringifyDoc, stringifyDocs, yamlWriterStats } from '../../src/constructs/yaml-writer';

const cdk8s = (...docs: any[]): string => Yaml.stringify(...docs);

/** What a call returns, or the message it throws (cdk8s throws on symbols and functions; so must we). */
function outcome(fn: () => string): string {
  try {
    return fn();
  } catch (e) {
    return `threw: ${(e as Error).message}`;
  }
}

/** Runs `fn` and returns how many documents it wrote on the fast path and how many fell back. */
function counted(fn: () => void): { fast: number; fallback: number } {
  resetYamlWriterStats();
  fn();
  return yamlWriterStats();
}

// ---------------------------------------------------------------------------------------------------------
// Strings

const YAML_WORDS = [
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', 'nO', 'oFF', 'fAlSe', 'tRUE', 'yES', '~', 'null', 'Null', 'NULL', 'nULL', '',
];
const NUMBER_LIKE = [
  '0', '7', '-1', '+1', '0755', '0o755', '08', '1_000', '1:30', '190:20:30', '1:30.5', '1e3', '1E3', '-1e-3', '3.14', '.5', '1.',
  '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '0x1F', '0xg', '0b101', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 -5', '12:30:45', '9000:9100', '80:90', '443', '9007199254740993', '1e400', '0.', '-0',
];
const INDICATORS = [
  ' ', '  ', ': ', ':', ' #', '#', '-', '- ', '?', '? ', '"', "'", '\\', '\t', '\n', '\r', '\r\n', '\n\n', ' \n', '\n ',
  '%', '---', '...', '@', '`', '*', '&', '!', '|', '>', '{', '}', '[', ']', ',', '=', '==', '!=', '<<', '=~', '/',
  'é', 'Ａ', '😀', '\u2028', '\u2029', '\u0085', '\u00a0', '\ufeff', '\x00', '\x07', '\x1b', '\x7f', '\ud800', '\udc00',
];
const WORDS = ['a', 'x', 'Z', 'e', 'E', 'e0', 'E-3', 'e+5', 'e1_0', 'app', 'kube-system', 'name', 'projectcalico.org/name', 'egress.cdk8s.io/zone', 'svc-1', 'team a'];

const REALISTIC = [
  'projectcalico.org/name == "kube-system"', 'k8s-app == "kube-dns"', 'app == "payments-api"', 'a in {"x", "y"}',
  'has(projectcalico.org/name)', '!has(egress)', 'all()', 'global()', 'egress.cdk8s.io/destination-set == "svc-169"',
  'projectcalico.org/namespace in {"batch", "reporting"}', "k == 'v'", 'a == "x" && b != "y" || !has(c)',
  '10.0.0.0/24', '10.250.0.0/24', '0.0.0.0/0', '192.0.2.64/29', '172.16.10.5/32', '255.255.255.255/32', '999.1.1.1/99',
  '01.2.3.4/5', '10.0.0.1', '2001:db8::/32', '2001:db8:ffff::/64', '::/0', '::1/128', 'fe80::1%eth0', '2600:1f22:10::/48',
  '2001:db8:1:2:3:4:5:6/128', '9000:9100', '53', 'TCP', 'UDP', 'SCTP', 'Allow', 'Deny', 'Pass', 'Log',
  'projectcalico.org/v3', 'GlobalNetworkPolicy', 'NetworkPolicy', 'networking.k8s.io/v1', 'cilium.io/v2',
  'app.kubernetes.io/name', 'kubernetes.io/metadata.name', 'egress-team-4999', 'Card processor API over TLS',
  'SaaS endpoint 17', 'object storage eu-1', 'https://example.com/a?b=c#d', 'C:\\path', '*.example.com',
  'egress.cdk8s.io/rule', 'ipv4', 'ipip', 'Never', 'CrossSubnet', 'Always', 'IfNotPresent',
];

/** The same word in a random mixture of cases (YAML 1.1 booleans are partly case-insensitive). */
const mixedCase = fc.tuple(fc.constantFrom(...YAML_WORDS, 'null', 'true', 'false', 'yes', 'off'), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }))
  .map(([w, ups]) => [...w].map((c, i) => (ups[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const token = fc.oneof(
  fc.constantFrom(...YAML_WORDS),
  fc.constantFrom(...NUMBER_LIKE),
  fc.constantFrom(...INDICATORS),
  fc.constantFrom(...WORDS),
  fc.constantFrom(...REALISTIC),
  mixedCase,
);
/** Adversarial strings: a few tokens glued together. */
const adversarial = fc.array(token, { minLength: 0, maxLength: 5 }).map(ts => ts.join(''));
/** Long strings, around the 1024-character limit of implicit keys, plain and needing quotes. */
const long = fc.tuple(fc.integer({ min: 1000, max: 1100 }), fc.constantFrom('k', 'a b', '#', ': ', 'é', '"', '9', '\n'), fc.constantFrom('', 'x', ' ', "'"))
  .map(([len, unit, tail]) => (unit.repeat(Math.ceil(len / unit.length)).slice(0, len) + tail));
/** Identifier- and CIDR-like strings: the shapes the writer accepts without asking cdk8s. */
const identifierLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _./-]{0,12}$/),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_./-]{0,3}$/),
  // Short words whose first letter begins a YAML 1.1 bool, null or exponent-only float (`e5`).
  fc.stringMatching(/^[eEyYnNoOtTfF][-+0-9eEsSnNoOfFrRuUlL_]{0,4}$/),
  mixedCase,
  fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(40)).map(([a, b, c, d, m]) => `${a}.${b}.${c}.${d}/${m}`),
  fc.tuple(fc.array(fc.stringMatching(/^[0-9a-fA-F]{0,4}$/), { minLength: 1, maxLength: 8 }), fc.nat(140))
    .map(([gs, m]) => `${gs.join(':')}/${m}`),
  fc.tuple(fc.nat(65535), fc.nat(65535)).map(([a, b]) => `${a}:${b}`),
);
const anyString = fc.oneof(
  { arbitrary: adversarial, weight: 6 },
  { arbitrary: fc.constantFrom(...REALISTIC), weight: 3 },
  { arbitrary: identifierLike, weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 1 },
  { arbitrary: long, weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------
// Documents

const scalar = fc.oneof(
  { arbitrary: anyString, weight: 10 },
  { arbitrary: fc.integer(), weight: 3 },
  { arbitrary: fc.oneof(fc.maxSafeInteger(), fc.constantFrom(0, -1, 2 ** 53 - 1, -(2 ** 53 - 1))), weight: 2 },
  { arbitrary: fc.boolean(), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(null, undefined, -0, 2 ** 53, -(2 ** 53), 1e21, NaN, Infinity, -Infinity, 1.5, 0.1), weight: 1 },
  { arbitrary: fc.double(), weight: 1 },
);

const { doc: anyDoc, node: anyNode } = fc.letrec<{ doc: unknown; node: unknown; map: unknown; seq: unknown }>(tie => ({
  doc: fc.oneof({ depthSize: 'small' }, tie('map'), tie('seq'), scalar),
  node: fc.oneof({ depthSize: 'small', maxDepth: 5 }, { arbitrary: scalar, weight: 3 }, tie('map'), tie('seq')),
  map: fc.dictionary(anyString, tie('node'), { maxKeys: 5 }),
  seq: fc.array(tie('node'), { maxLength: 5 }),
}));

/** Realistic Calico policy-shaped documents (no multi-line strings, nothing the fast path refuses). */
const realisticString = fc.oneof(fc.constantFrom(...REALISTIC), identifierLike.filter(s => s.length > 0));
const port = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1001, max: 65535 })).map(([a, b]) => `${a}:${b}`));
const rule = fc.record({
  action: fc.constantFrom('Allow', 'Deny', 'Pass', 'Log'),
  protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
  destination: fc.record({
    nets: fc.array(fc.constantFrom('10.0.0.0/24', '203.0.113.0/26', '2001:db8::/32', '198.51.100.128/25'), { maxLength: 4 }),
    ports: fc.array(port, { minLength: 1, maxLength: 3 }),
    selector: realisticString,
  }, { requiredKeys: ['ports'], noNullPrototype: true }),
  metadata: fc.record(
    { annotations: fc.dictionary(realisticString, realisticString, { maxKeys: 2, noNullPrototype: true }) },
    { noNullPrototype: true },
  ),
}, { requiredKeys: ['action', 'destination'], noNullPrototype: true });
const calicoPolicy = fc.record({
  apiVersion: fc.constant('projectcalico.org/v3'),
  kind: fc.constant('GlobalNetworkPolicy'),
  metadata: fc.record({
    name: fc.stringMatching(/^egress-[a-z0-9-]{1,20}$/),
    labels: fc.dictionary(fc.constantFrom('egress.cdk8s.io/zone', 'app.kubernetes.io/name', 'team'), realisticString, { maxKeys: 3, noNullPrototype: true }),
  }, { noNullPrototype: true }),
  spec: fc.record({
    order: fc.integer({ min: 0, max: 10000 }),
    namespaceSelector: realisticString,
    selector: realisticString,
    types: fc.constant(['Egress']),
    egress: fc.array(rule, { maxLength: 6 }),
    ingress: fc.constant([]),
    serviceAccountSelector: fc.constant('all()'),
    extra: fc.constant({}),
  }, { noNullPrototype: true }),
}, { noNullPrototype: true });

// ---------------------------------------------------------------------------------------------------------

describe('the fast YAML writer writes what cdk8s writes', () => {
  test('a few hand-picked shapes', () => {
    const docs: unknown[] = [
      { a: 1, b: 'x', c: { d: [1, 2, { e: 'f', g: [] }, [], {}, [3, [4, [5, {}]]]], h: {} }, i: [], j: true, k: false },
      [{ a: 1, b: 2 }, [{ c: 1 }, []], 'x', [[[]]], [{}]],
      {}, [], undefined, { '': '' }, { 'a b': 'c d', 'on': 'off', 'y': 'n', '0': 0, '-1': -1 },
      { data: { 'config.json': '{\n  "a": 1\n}\n' } }, // multi-line: falls back
    ];
    expect(stringifyDocs(...docs)).toBe(cdk8s(...docs));
    for (const d of docs) expect(stringifyDoc(d)).toBe(cdk8s(d));
    expect(stringifyDocs()).toBe(cdk8s());
    expect(stringifyDocs(undefined)).toBe(cdk8s(undefined));
    expect(stringifyDocs(undefined, undefined, {})).toBe(cdk8s(undefined, undefined, {}));
  });

  test('random documents over an adversarial alphabet (single documents)', () => {
    const stats = counted(() => fc.assert(fc.property(anyDoc, doc => {
      expect(stringifyDoc(doc)).toBe(cdk8s(doc));
    }), { numRuns: 4000 }));
    // Both paths are exercised.
    expect(stats.fast).toBeGreaterThan(400);
    expect(stats.fallback).toBeGreaterThan(400);
  });

  test('random multi-document streams (with undefined documents)', () => {
    const stream = fc.array(fc.oneof({ arbitrary: anyDoc, weight: 5 }, { arbitrary: fc.constant(undefined), weight: 1 }), { maxLength: 5 });
    fc.assert(fc.property(stream, docs => {
      expect(stringifyDocs(...docs)).toBe(cdk8s(...docs));
    }), { numRuns: 1500 });
  });

  test('every string as a key and as a value, at every depth and in every position', () => {
    fc.assert(fc.property(anyString, s => {
      const doc = { [s]: s, l: [s, [s], { [s]: [s] }, { x: s, [s]: { [s]: s } }], n: { m: { [s]: s, o: [[s]] } } };
      expect(stringifyDoc(doc)).toBe(cdk8s(doc));
      expect(stringifyDoc([s, { [s]: s }])).toBe(cdk8s([s, { [s]: s }]));
      expect(stringifyDoc({ k: s })).toBe(cdk8s({ k: s }));
    }), { numRuns: 6000 });
  });

  test('the fast-accepted shapes (identifiers, bool/null words in any case, CIDRs) agree with cdk8s, on the fast path', () => {
    let plainFast = 0;
    fc.assert(fc.property(identifierLike, s => {
      const doc = { [s]: s, l: [s, { [s]: s }], m: { [s]: [s] } };
      const stats = counted(() => expect(stringifyDoc(doc)).toBe(cdk8s(doc)));
      if (stats.fast === 1) plainFast++;
    }), { numRuns: 4000 });
    expect(plainFast).toBeGreaterThan(3000);
    for (const w of [...YAML_WORDS, 'nO', 'Yes', 'yES', 'oN', 'NuLl', '~']) {
      expect(stringifyDoc({ [w]: w, l: [w] })).toBe(cdk8s({ [w]: w, l: [w] }));
    }
  });

  test('keys around the 1024-character limit of implicit keys', () => {
    for (let len = 1018; len <= 1030; len++) {
      for (const unit of ['k', '#', 'é', ' x', '"']) {
        const k = unit.repeat(len).slice(0, len);
        for (const doc of [{ [k]: 1 }, { a: { [k]: [k] } }, [{ [k]: k }]]) expect(stringifyDoc(doc)).toBe(cdk8s(doc));
      }
    }
  });

  test('numbers: safe integers on the fast path, everything else as cdk8s writes it', () => {
    const stats = counted(() => fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double(), fc.bigInt()), n => {
      const doc = { n, l: [n, { n }] };
      expect(stringifyDoc(doc)).toBe(cdk8s(doc));
    }), { numRuns: 2000 }));
    expect(stats.fast).toBeGreaterThan(500);
    for (const n of [0, -0, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e21, 1e-7, NaN, Infinity, -Infinity, 0.1 + 0.2]) {
      expect(stringifyDoc({ n, l: [n] })).toBe(cdk8s({ n, l: [n] }));
    }
  });

  test('context-dependent strings fall back: document markers, %, multi-line', () => {
    for (const s of ['---', '---x', '...', '...x', '%x', '% x', 'a\nb', 'a\n---b', 'a\n', '\n', ' a\nb', 'a \nb', 'x\n\n', '|', '>']) {
      for (const doc of [{ k: s }, { [s]: 1 }, { a: { [s]: s } }, [s], [{ [s]: s }], [[s]], { a: [{ b: [s] }] }]) {
        expect(stringifyDoc(doc)).toBe(cdk8s(doc));
      }
    }
    // At the top level yaml quotes a key starting with --- but writes it plain deeper down; as a value it is
    // plain, but as a whole document a block scalar.
    expect(cdk8s({ '---x': 1 })).toBe('"---x": 1\n');
    expect(cdk8s({ a: { '---x': 1 } })).toBe('a:\n  ---x: 1\n');
    expect(cdk8s({ k: '---x' })).toBe('k: ---x\n');
    expect(cdk8s('---x')).toBe('|-\n  ---x\n');
  });

  test('shared and circular references, non-plain objects, null and undefined: as cdk8s writes them', () => {
    const shared = { x: 1 };
    const list = ['a'];
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    const cyclicList: any[] = [1];
    cyclicList.push(cyclicList);
    class Custom { public a = 1; }
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const docs: unknown[] = [
      { a: shared, b: shared }, [list, list], { a: { b: list }, c: list }, cyclic, cyclicList,
      { d: new Date(0) }, { m: new Map([['a', 1]]) }, { s: new Set([1, 2]) }, { c: new Custom() }, new Custom(),
      { n: Object.assign(Object.create(null), { a: 1 }) }, { j: { toJSON: () => 'x' } }, { w: new String('s') }, { w: new Number(1) },
      { b: new Uint8Array([1, 2]) }, { big: 10n }, { sym: Symbol('s') }, { f: () => 1 }, sparse, [undefined], { u: undefined }, { n: null }, [null],
      'top-level string', 42, true, null, 1.5, '---', 'a\nb',
    ];
    for (const d of docs) expect(outcome(() => stringifyDoc(d))).toBe(outcome(() => cdk8s(d)));
    expect(outcome(() => stringifyDocs(...docs))).toBe(outcome(() => cdk8s(...docs)));
    expect(outcome(() => cdk8s({ f: () => 1 }))).toMatch(/^threw: /);
  });

  test('realistic Calico policies: identical, and the great majority on the fast path', () => {
    const stats = counted(() => fc.assert(fc.property(fc.array(calicoPolicy, { minLength: 1, maxLength: 4 }), docs => {
      expect(stringifyDocs(...docs)).toBe(cdk8s(...docs));
    }), { numRuns: 1000 }));
    expect(stats.fast).toBeGreaterThan(0);
    expect(stats.fast / (stats.fast + stats.fallback)).toBeGreaterThan(0.99);
  });

  test('deep nesting', () => {
    fc.assert(fc.property(anyNode, fc.integer({ min: 1, max: 12 }), (leaf, depth) => {
      let doc: any = leaf;
      for (let i = 0; i < depth; i++) doc = i % 3 === 0 ? [doc] : i % 3 === 1 ? { k: doc } : [{ a: 1, b: doc }];
      expect(stringifyDoc(doc)).toBe(cdk8s(doc));
    }), { numRuns: 500 });
  });
});
