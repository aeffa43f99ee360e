import { EgressValidationError } from '../../src/model/errors';
import { Selector } from '../../src/model/selector';

describe('Selector builders', () => {
  test.each<[string, () => Selector, string]>([
    ['all', () => Selector.all(), 'all()'],
    ['global', () => Selector.global(), 'global()'],
    ['has', () => Selector.has('projectcalico.org/name'), 'has(projectcalico.org/name)'],
    ['labelEquals', () => Selector.labelEquals('app', 'web'), 'app == "web"'],
    ['labelEquals with a double quote', () => Selector.labelEquals('a', 'say "hi"'), 'a == \'say "hi"\''],
    ['labelEquals with an empty value', () => Selector.labelEquals('a', ''), 'a == ""'],
    ['labelNotEquals', () => Selector.labelNotEquals('tier', 'db'), 'tier != "db"'],
    ['labelIn sorts and de-duplicates', () => Selector.labelIn('kubernetes.io/metadata.name', ['prod', 'dev', 'prod']), 'kubernetes.io/metadata.name in {"dev", "prod"}'],
    ['labelIn with no values', () => Selector.labelIn('a', []), 'a in {}'],
    ['labelNotIn', () => Selector.labelNotIn('env', ['b', 'a']), 'env not in {"a", "b"}'],
    ['namespace', () => Selector.namespace('kube-system'), 'projectcalico.org/namespace == "kube-system"'],
    ['fromLabels sorts keys', () => Selector.fromLabels({ tier: 'web', app: 'shop' }), '(app == "shop" && tier == "web")'],
    ['fromLabels with one label', () => Selector.fromLabels({ app: 'shop' }), 'app == "shop"'],
    ['fromLabels {}', () => Selector.fromLabels({}), 'all()'],
    ['and', () => Selector.and(Selector.has('a'), Selector.labelEquals('b', 'c')), '(has(a) && b == "c")'],
    ['and flattens nested ANDs', () => Selector.and(Selector.and(Selector.has('a'), Selector.has('b')), Selector.has('c')), '(has(a) && has(b) && has(c))'],
    ['and keeps ORs as operands', () => Selector.and(Selector.or(Selector.has('a'), Selector.has('b')), Selector.has('c')), '((has(a) || has(b)) && has(c))'],
    ['and drops all()', () => Selector.and(Selector.all(), Selector.has('a')), 'has(a)'],
    ['and of only all()', () => Selector.and(Selector.all(), Selector.all()), 'all()'],
    ['and of nothing', () => Selector.and(), 'all()'],
    ['and keeps global()', () => Selector.and(Selector.global(), Selector.has('a')), '(global() && has(a))'],
    ['or', () => Selector.or(Selector.has('a'), Selector.namespace('x')), '(has(a) || projectcalico.org/namespace == "x")'],
    ['or flattens nested ORs', () => Selector.or(Selector.has('a'), Selector.or(Selector.has('b'), Selector.has('c'))), '(has(a) || has(b) || has(c))'],
    ['or with all() is all()', () => Selector.or(Selector.has('a'), Selector.all()), 'all()'],
    ['or of one', () => Selector.or(Selector.has('a')), 'has(a)'],
    ['andWith', () => Selector.has('a').andWith(Selector.has('b')), '(has(a) && has(b))'],
    ['orWith', () => Selector.has('a').orWith(Selector.has('b')), '(has(a) || has(b))'],
    ['not', () => Selector.labelIn('a', ['x']).not(), '!a in {"x"}'],
    ['not of an AND', () => Selector.fromLabels({ a: '1', b: '2' }).not(), '!(a == "1" && b == "2")'],
    ['not of a not', () => Selector.has('a').not().not(), 'has(a)'],
    ['not of a parsed !(!x) removes one negation', () => Selector.parse('!(!has(a))').not(), '!has(a)'],
  ])('%s', (_name, build, expected) => {
    const sel = build();
    expect(sel.toString()).toBe(expected);
    // Builders produce exactly what parsing the printed text produces.
    expect(Selector.parse(expected).toString()).toBe(expected);
    expect(sel.sameAs(Selector.parse(expected))).toBe(true);
  });

  test('and/or of parsed selectors combine their trees', () => {
    const sel = Selector.and(Selector.parse('a == "1" && b == "2"'), Selector.parse('c == "3" || d == "4"'));
    expect(sel.toString()).toBe('(a == "1" && b == "2" && (c == "3" || d == "4"))');
    expect(sel.matches({ a: '1', b: '2', d: '4' })).toBe(true);
    expect(sel.matches({ a: '1', b: '2' })).toBe(false);
  });

  test('namespace() selects by the namespace label Calico sets on workload endpoints', () => {
    const sel = Selector.namespace('prod');
    expect(sel.matches({ 'projectcalico.org/namespace': 'prod' })).toBe(true);
    expect(sel.matches({ 'projectcalico.org/namespace': 'dev' })).toBe(false);
  });

  test.each([
    ['', 'empty'],
    ['app name', 'space'],
    ['app=web', '='],
    ['ä', 'non-ASCII'],
    ['a'.repeat(513), 'too long'],
    ['has(a)', 'parenthesis'],
  ])('label key %j is rejected (%s)', (key) => {
    for (const build of [
      () => Selector.has(key),
      () => Selector.labelEquals(key, 'v'),
      () => Selector.labelNotEquals(key, 'v'),
      () => Selector.labelIn(key, ['v']),
      () => Selector.labelNotIn(key, ['v']),
      () => Selector.fromLabels({ [key]: 'v' }),
    ]) {
      expect(build).toThrow(EgressValidationError);
      expect(build).toThrow(/label key .* is not a label name Calico selectors accept/s);
    }
  });

  test('keys Calico accepts are accepted, including prefixes and a leading digit or dash', () => {
    for (const key of ['kubernetes.io/metadata.name', 'projectcalico.org/name', '1abc', '-x', 'a_b', 'a'.repeat(512)]) {
      expect(Selector.has(key).toString()).toBe(`has(${key})`);
      expect(Selector.parse(`has(${key})`).toString()).toBe(`has(${key})`);
    }
  });

  test('a value with both quote characters cannot be written in Calico and is rejected', () => {
    expect(() => Selector.labelEquals('a', 'it\'s "x"')).toThrow(/contains both ' and "/);
    expect(() => Selector.labelIn('a', ['ok', 'it\'s "x"'])).toThrow(EgressValidationError);
    expect(() => Selector.fromLabels({ a: '\'"' })).toThrow(EgressValidationError);
  });

  test('namespace() needs a Kubernetes namespace name', () => {
    for (const bad of ['', 'Prod', 'a_b', '-a', 'a-', 'x'.repeat(64), 'a"b']) {
      expect(() => Selector.namespace(bad)).toThrow(/not a valid Kubernetes namespace name/);
    }
    expect(Selector.namespace('x'.repeat(63)).toString()).toContain('x'.repeat(63));
  });

  test('builders do not share or mutate their inputs', () => {
    const values = ['b', 'a'];
    const sel = Selector.labelIn('k', values);
    values.push('c');
    expect(sel.toString()).toBe('k in {"a", "b"}');
    const a = Selector.has('a');
    Selector.and(a, Selector.has('b'));
    expect(a.toString()).toBe('has(a)');
  });
});

describe('Selector properties', () => {
  test('usesGlobal finds global() anywhere', () => {
    expect(Selector.global().usesGlobal).toBe(true);
    expect(Selector.parse('has(a) || !(b == "c" && global())').usesGlobal).toBe(true);
    expect(Selector.parse('has(a) && global == "x"').usesGlobal).toBe(false);
    expect(Selector.all().usesGlobal).toBe(false);
  });

  test('isAll is true for all() and the empty selector only', () => {
    expect(Selector.all().isAll).toBe(true);
    expect(Selector.parse('').isAll).toBe(true);
    expect(Selector.parse(' ( all() ) ').isAll).toBe(true);
    expect(Selector.parse('!all()').isAll).toBe(false);
    expect(Selector.parse('all() && all()').isAll).toBe(false);
    expect(Selector.global().isAll).toBe(false);
    expect(Selector.has('a').isAll).toBe(false);
  });

  test('sameAs compares canonical forms', () => {
    expect(Selector.parse("a in {'y','x','y'}").sameAs(Selector.labelIn('a', ['x', 'y']))).toBe(true);
    expect(Selector.parse('a == "b"').sameAs(Selector.parse('a != "b"'))).toBe(false);
    expect(Selector.parse('').sameAs(Selector.all())).toBe(true);
  });

  test('toString is stable across calls', () => {
    const sel = Selector.parse('b == "1" || a == "2"');
    expect(sel.toString()).toBe('(b == "1" || a == "2")');
    expect(sel.toString()).toBe(sel.toString());
    expect(`${sel}`).toBe('(b == "1" || a == "2")');
  });
});

test('allOf, anyOf, negate and globalEndpoints are and, or, not and global under names no language reserves', () => {
  const a = Selector.has('a');
  const b = Selector.labelEquals('b', 'c');
  expect(Selector.allOf(a, b).toString()).toBe(Selector.and(a, b).toString());
  expect(Selector.anyOf(a, b).toString()).toBe(Selector.or(a, b).toString());
  expect(a.negate().toString()).toBe('!has(a)');
  expect(a.negate().negate().toString()).toBe('has(a)');
  expect(Selector.globalEndpoints().toString()).toBe('global()');
});
