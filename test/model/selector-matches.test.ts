import { Selector } from '../../src/model/selector';

type Labels = { [key: string]: string };

/**
 * projectcalico/calico libcalico-go/lib/selector/parser/parser_test.go `selectorTests`:
 * [selector, label sets it matches, label sets it does not match].
 */
const CALICO_EVALUATION: Array<[string, Labels[], Labels[]]> = [
  ['a == "b"', [{ a: 'b' }, { a: 'b', c: 'd' }], [{}, { a: 'c' }, { c: 'd' }]],
  ['a == "b" && c == "d"', [{ a: 'b', c: 'd' }], [{}, { a: 'b', c: 'e' }, { a: 'c', c: 'd' }, { c: 'd' }, { a: 'b' }]],
  ['a == "b" || c == "d"', [{ a: 'b', c: 'd' }, { a: 'b' }, { c: 'd' }], [{}, { a: 'e', c: 'e' }, { c: 'e' }, { a: 'e' }]],
  ['a in {"\'", \'"\', "c"}', [{ a: 'c' }, { a: '"' }, { a: "'" }], [{}, { a: 'e' }]],
  ['a not in {"\'", \'"\', "c"}', [{}, { a: 'e' }], [{ a: 'c' }, { a: '"' }, { a: "'" }]],
  ["a == 'a'", [{ a: 'a' }], []],
  ['a == "a"', [{ a: 'a' }], []],
  ['a != "b"', [{ a: 'a' }], []],
  ['a != "a"', [{}], []],
  ['a contains "a"', [{ a: 'a' }, { a: 'bab' }, { a: 'aaa', b: 'c' }], [{}, { a: 'b' }, { b: 'aaa' }]],
  ['a starts with "a"', [{ a: 'a' }, { a: 'abb' }, { a: 'aaa', b: 'c' }], [{}, { a: 'b' }, { a: 'baa' }, { b: 'aaa' }]],
  ['a ends with "a"', [{ a: 'a' }, { a: 'bba' }, { a: 'aaa', b: 'c' }], [{}, { a: 'b' }, { a: 'aab' }, { b: 'aaa' }]],
  ['a in {"a"}', [{ a: 'a' }], []],
  ['!a in {"a"}', [{ a: 'b' }], []],
  ['a in {"a", "b"}', [{ a: 'a' }, { a: 'b' }], []],
  ['a not in {"d", "e"}', [{ a: 'a' }], []],
  ['has(a)', [{ a: 'b' }], []],
  ['!has(a)', [{ b: 'b' }], []],
  ['', [{}, { a: 'b' }], []],
  [' ', [{}], []],
  ['all()', [{}], []],
  [' all()', [{}, { a: 'b' }], []],
  ['global()', [{}], []],
  [' global()', [{}, { a: 'b' }], []],
  ["a == 'a'", [], [{ a: 'b' }, {}]],
  ['a != "a"', [], [{ a: 'a' }]],
  ["a != 'a'", [], [{ a: 'a' }]],
  ['a in {"a"}', [], [{ a: 'b' }]],
  ['a not in {"a"}', [], [{ a: 'a' }]],
  ['a in {"a", "b"}', [], [{ a: 'c' }]],
  ['has(b)', [], [{ a: 'b' }]],
  ['!!has(b)', [], [{ a: 'b' }]],
  ['! has(a)', [], [{ a: 'b' }]],
  ['!has(a)', [], [{ a: 'b' }]],
  ['!!! has(a)', [], [{ a: 'b' }]],
  ['!!!has(a)', [], [{ a: 'b' }]],
  ['!! ! has(a)', [], [{ a: 'b' }]],
  ['! !!has(a)', [], [{ a: 'b' }]],
  ["a == 'a1' && b == 'b1'", [{ a: 'a1', b: 'b1' }], []],
  ["a == 'a1' && b != 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["a != 'a1' && b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["a != 'a1' && b != 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["a != 'a1' && !b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["!a == 'a1' && b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ['has(a) && !has(b)', [{ a: 'a' }], []],
  ['!has(b) && has(a)', [{ a: 'a' }], []],
  ['!(!has(a) || has(b))', [{ a: 'a' }], []],
  ['!(has(b) || !has(a))', [{ a: 'a' }], []],
  ["a == 'a1' || b == 'b1'", [{ a: 'a1', b: 'b1' }], []],
  ["a == 'a1' || b != 'b1'", [{ a: 'a1', b: 'b1' }], []],
  ["a != 'a1' || b == 'b1'", [{ a: 'a1', b: 'b1' }], []],
  ["a != 'a1' || b != 'b1'", [], [{ a: 'a1', b: 'b1' }]],
  ["! a == 'a1' || ! b == 'b1'", [], [{ a: 'a1', b: 'b1' }]],
];

// Derived from ast.go's Evaluate methods.
const DERIVED_EVALUATION: Array<[string, Labels[], Labels[]]> = [
  // An empty value is present; has() and == "" see it.
  ['has(a)', [{ a: '' }], [{}]],
  ['a == ""', [{ a: '' }], [{}, { a: 'x' }]],
  ['a contains ""', [{ a: '' }, { a: 'x' }], [{}]],
  ['a starts with ""', [{ a: 'x' }], [{}]],
  ['a in {}', [], [{}, { a: '' }, { a: 'x' }]],
  ['a not in {}', [{}, { a: '' }, { a: 'x' }], []],
  // Case-sensitive, exact comparisons.
  ['a == "B"', [{ a: 'B' }], [{ a: 'b' }, { A: 'B' }]],
  ['a in {"x", "y", "z", "p", "q", "r", "s", "t", "u", "v"}', [{ a: 'v' }, { a: 'p' }], [{ a: 'w' }, {}]],
  // Labels are looked up as own keys only: "constructor" is not a label of {}.
  ['has(constructor)', [{ constructor: 'x' }], [{}]],
  ['toString != "x"', [{}], [{ toString: 'x' }]],
  // Prefixed keys.
  ['kubernetes.io/metadata.name == "kube-system"', [{ 'kubernetes.io/metadata.name': 'kube-system' }], [{ name: 'kube-system' }]],
  ['!global()', [], [{}, { a: 'b' }]],
];

describe('Selector.matches (Calico Evaluate)', () => {
  test.each([...CALICO_EVALUATION, ...DERIVED_EVALUATION])('%j', (text, matching, nonMatching) => {
    const sel = Selector.parse(text);
    const roundTripped = Selector.parse(sel.toString());
    for (const labels of matching) {
      expect([labels, sel.matches(labels)]).toEqual([labels, true]);
      expect([labels, roundTripped.matches(labels)]).toEqual([labels, true]);
    }
    for (const labels of nonMatching) {
      expect([labels, sel.matches(labels)]).toEqual([labels, false]);
      expect([labels, roundTripped.matches(labels)]).toEqual([labels, false]);
    }
  });
});
