/**
 * Issue 14, item 13: the data-path config parser rejects half-valid documents, as Kubernetes validates
 * the same values, and reports non-JSON values with its own error.
 */
import { DataPathConfigError, parseDataPathConfig } from '../../../src/datapath';
import { validDocument } from '../../datapath/data-path-fixture';

function rejects(mutate: (d: any) => void, where: RegExp) {
  const doc = validDocument();
  mutate(doc);
  let err: unknown;
  try {
    parseDataPathConfig(doc);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataPathConfigError);
  expect((err as Error).message).toMatch(where);
}

test('the fixture itself is valid', () => {
  expect(() => parseDataPathConfig(validDocument())).not.toThrow();
});

test('a port of 1.5 (number or text)', () => {
  rejects(d => { d.zones[0].allow[0].ports = [1.5]; }, /\$\.zones\[0\]\.allow\[0\]\.ports\[0\]/);
  rejects(d => { d.zones[0].allow[0].ports = ['1.5']; }, /\$\.zones\[0\]\.allow\[0\]\.ports\[0\]/);
});

test.each([['a b'], [''], ['-a'], ['a/b/c'], ['x'.repeat(64)]])('matchLabels key %j', key => {
  rejects(d => { d.zones[0].members.matchLabels = { [key]: 'v' }; }, /matchLabels/);
});

test.each([['bad value!'], ['-x'], ['x'.repeat(64)]])('matchLabels value %j', value => {
  rejects(d => { d.zones[0].members.matchLabels = { app: value }; }, /matchLabels/);
});

test('valid label keys and values pass', () => {
  const doc = validDocument();
  doc.zones[0].members.matchLabels = { 'app.kubernetes.io/name': 'pay', 'tier': '', 'a_b.c-d': 'A.b_c-1' };
  expect(() => parseDataPathConfig(doc)).not.toThrow();
});

test.each([
  ['zone name', (d: any) => { d.zones[0].name = 'a..b'; }, /\$\.zones\[0\]\.name/],
  ['gateway name', (d: any) => { d.gateways[0].name = 'a..b'; d.zones[0].gateway = 'a..b'; d.zones[1].gateway = 'a..b'; }, /\$\.gateways\[0\]\.name/],
  ['namespace', (d: any) => { d.zones[0].members.namespaces = ['a..b']; }, /namespaces\[0\]/],
  ['namespace with a dot', (d: any) => { d.zones[0].members.namespaces = ['a.b']; }, /namespaces\[0\]/],
  ['service namespace', (d: any) => { d.gateways[0].service.namespace = 'a..b'; }, /service\.namespace/],
])('a %s such as "a..b"', (_what, mutate, where) => rejects(mutate, where));

test('non-JSON values: its own error, not a TypeError', () => {
  rejects(d => { d.zones[0].id = BigInt(1); }, /\$\.zones\[0\]\.id/);
  rejects(d => { d.zones[0].self = d.zones[0]; }, /\$\.zones\[0\]/);
  rejects(d => { d.zones[0].members = { namespaces: ['payments'], matchLabels: { app: BigInt(2) } }; }, /matchLabels/);
  rejects(d => { d.cluster.podCidrs = [Symbol('x')]; }, /\$\.cluster\.podCidrs\[0\]/);
});
