import { EgressValidationError } from '../../src/model/errors';
import { Selector } from '../../src/model/selector';
import { SelectorParseError } from '../../src/model/selector/parse-error';
import { TokenKind, tokenize } from '../../src/model/selector/tokenizer';

/**
 * Expected strings come from Calico's own test tables in projectcalico/calico
 * libcalico-go/lib/selector/{tokenizer/tokenizer_test.go, parser/parser_test.go}
 * (canonicalisationTests, the Visitor table with the prefix removed, badSelectors),
 * plus cases derived by reading Calico's tokenizer.go/parser.go/ast.go; those are
 * marked "derived".
 */

// [input, Calico's String()]
const CALICO_CANONICAL: Array<[string, string]> = [
  // parser_test.go canonicalisationTests
  ['', 'all()'],
  [' all() ', 'all()'],
  [' (all() )', 'all()'],
  ['! (has( b)||! has(a ))', '!(has(b) || !has(a))'],
  ['! (a == "b"&&! c != "d")', '!(a == "b" && !c != "d")'],
  ['a == "\'"', 'a == "\'"'],
  ['a == \'"\'', 'a == \'"\''],
  ['a contains \'"\'', 'a contains \'"\''],
  ['a contains "\'"', 'a contains "\'"'],
  ['a startswith \'"\'', 'a starts with \'"\''],
  ['a endswith "\'"', 'a ends with "\'"'],
  ['a!=\'"\'', 'a != \'"\''],
  ['a in {"d"}', 'a in {"d"}'],
  ['a in {"a", "b"}', 'a in {"a", "b"}'],
  ['a in {"d", "a", "b"}', 'a in {"a", "b", "d"}'],
  ['a in {"z", "x", "y", "a"}', 'a in {"a", "x", "y", "z"}'],
  ['a in {"z", "z", "x", "y", "x", "a"}', 'a in {"a", "x", "y", "z"}'],
  // parser_test.go Visitor table, without the visitor's prefix
  ["k == 'v'", 'k == "v"'],
  ["k != 'v'", 'k != "v"'],
  ["k contains 'v'", 'k contains "v"'],
  ["k starts with 'v'", 'k starts with "v"'],
  ["k ends with 'v'", 'k ends with "v"'],
  ["k == 'v' && x == 'y'", '(k == "v" && x == "y")'],
  ["k == 'v' || has(x)", '(k == "v" || has(x))'],
  ["!(k == 'v')", '!k == "v"'],
  ["k in {'v'}", 'k in {"v"}'],
  ["k not in {'v'}", 'k not in {"v"}'],
  ["!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))", '!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})'],
  // tokenizer_test.go inputs that also parse
  ['a=="b"', 'a == "b"'],
  ['label == "value"', 'label == "value"'],
  ['label contains "value"', 'label contains "value"'],
  ['contains contains "contains"', 'contains contains "contains"'],
  ["contains contains 'contains'", 'contains contains "contains"'],
  ['label contains"value"', 'label contains "value"'],
  ['label startswith "value"', 'label starts with "value"'],
  ['label endswith "value"', 'label ends with "value"'],
  ['label starts with "value"', 'label starts with "value"'],
  ['startswith starts with "value"', 'startswith starts with "value"'],
  ['label ends with "value"', 'label ends with "value"'],
  ['endswith ends with "value"', 'endswith ends with "value"'],
  ['label starts  with "value"', 'label starts with "value"'],
  ['label ends  with "value"', 'label ends with "value"'],
  ['has(calico/k8s_ns)', 'has(calico/k8s_ns)'],
  ['has(calico/k8s_ns/role)', 'has(calico/k8s_ns/role)'],
  ['has(calico/k8s_NS-.1/role)', 'has(calico/k8s_NS-.1/role)'],
  ['calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"', '(calico/k8s_ns == "kube-system" && k8s-app == "kube-dns")'],
  ['a not in {}', 'a not in {}'],
  ['a not in {"a"}', 'a not in {"a"}'],
  ['a not in {"a","B"}', 'a not in {"B", "a"}'], // byte order: upper case first
  ['global()', 'global()'],
  ['all()', 'all()'],
  // parser_test.go selectorTests inputs
  ['a in {"\'", \'"\', "c"}', 'a in {\'"\', "\'", "c"}'],
  ['a not in {"\'", \'"\', "c"}', 'a not in {\'"\', "\'", "c"}'],
  ['!a in {"a"}', '!a in {"a"}'],
  [' ', 'all()'],
  [' global()', 'global()'],
  ['!!has(b)', 'has(b)'],
  ['! has(a)', '!has(a)'],
  ['!!! has(a)', '!has(a)'],
  ['!!!has(a)', '!has(a)'],
  ['!! ! has(a)', '!has(a)'],
  ['! !!has(a)', '!has(a)'],
  ["a != 'a1' && !b == 'b1'", '(a != "a1" && !b == "b1")'],
  ["!a == 'a1' && b == 'b1'", '(!a == "a1" && b == "b1")'],
  ['!(!has(a) || has(b))', '!(!has(a) || has(b))'],
  ["! a == 'a1' || ! b == 'b1'", '(!a == "a1" || !b == "b1")'],
  // derived: whitespace (space and tab only), optional spaces
  ['\tall()\t', 'all()'],
  ['a\t==\t"b"', 'a == "b"'],
  ['a == "b"&&c == "d"', '(a == "b" && c == "d")'],
  ['has( a )', 'has(a)'],
  ['all( )', 'all()'],
  ['global(\t)', 'global()'],
  ['a notin{"x"}&&!has(foo)||b in{"c"}', '((a not in {"x"} && !has(foo)) || b in {"c"})'],
  ['a not\tin {"x"}', 'a not in {"x"}'],
  ["a contains''", 'a contains ""'],
  // derived: sets (trailing comma allowed, empty set, byte-order sort, de-dup)
  ['a in {"a",}', 'a in {"a"}'],
  ['a in {}', 'a in {}'],
  ['a in {"b","a","b","a"}', 'a in {"a", "b"}'],
  ['a in {"é", "z", "Z", "1"}', 'a in {"1", "Z", "z", "é"}'],
  ['a in {"😀", "Ａ"}', 'a in {"Ａ", "😀"}'], // Go sorts by UTF-8 bytes, not UTF-16 units
  ['a in {"", "a"}', 'a in {"", "a"}'],
  // derived: precedence and parentheses (no flattening of explicit nesting)
  ['a == "1" || b == "2" && c == "3"', '(a == "1" || (b == "2" && c == "3"))'],
  ['(a == "1" || b == "2") && c == "3"', '((a == "1" || b == "2") && c == "3")'],
  ['a == "1" && (b == "2" && c == "3")', '(a == "1" && (b == "2" && c == "3"))'],
  ['a == "1" || (b == "2" || c == "3")', '(a == "1" || (b == "2" || c == "3"))'],
  ['a == "1" && b == "2" && c == "3"', '(a == "1" && b == "2" && c == "3")'],
  ['( ( a == "b" ) )', 'a == "b"'],
  ['!(a == "b" || c == "d")', '!(a == "b" || c == "d")'],
  ['!a == "b" && c == "d"', '(!a == "b" && c == "d")'],
  ['has(a) && has(b) && has(c) || all()', '((has(a) && has(b) && has(c)) || all())'],
  ['!(!a == "b")', '!!a == "b"'], // Calico prints a double negation it would itself read as none
  ['!global()', '!global()'],
  ['all() && global()', '(all() && global())'],
  // derived: label names (prefixes, digits, dashes, keywords as labels)
  ['projectcalico.org/name == "default"', 'projectcalico.org/name == "default"'],
  ['kubernetes.io/metadata.name in {"kube-system","default"}', 'kubernetes.io/metadata.name in {"default", "kube-system"}'],
  ['projectcalico.org/namespace == \'prod\'', 'projectcalico.org/namespace == "prod"'],
  ['app.kubernetes.io/part-of != "x"', 'app.kubernetes.io/part-of != "x"'],
  ['-a == "b"', '-a == "b"'],
  ['1.2/3_ == "x"', '1.2/3_ == "x"'],
  ['in == "x"', 'in == "x"'],
  ['all == "x"', 'all == "x"'],
  ['has == "x"', 'has == "x"'],
  ['global in {"x"}', 'global in {"x"}'],
  ['not not in {"x"}', 'not not in {"x"}'],
  ['in in {"in"}', 'in in {"in"}'],
  [`${'k'.repeat(512)} == "v"`, `${'k'.repeat(512)} == "v"`],
  // derived: string contents are verbatim (no escapes)
  ['a == "b c"', 'a == "b c"'],
  ['a == "it\'s"', 'a == "it\'s"'],
  ['a == \'say "hi"\'', 'a == \'say "hi"\''],
  ['a == "x\ny"', 'a == "x\ny"'],
  ['a == "\\"', 'a == "\\"'],
  ['a == "&& || ! ( ) { }"', 'a == "&& || ! ( ) { }"'],
  ['a == ""', 'a == ""'],
];

// [input, 0-based error position]
const CALICO_REJECTS: Array<[string, number]> = [
  // parser_test.go badSelectors
  ['b == b', 5],
  ['b contains b', 11],
  ['b starts with b', 14],
  ['b ends with b', 12],
  ["'b1' == b", 0],
  ['b', 1],
  ['a b', 2],
  ['!', 1],
  ['foo == "bar" &', 13],
  ['foo == "bar" |', 13],
  ['foo != ||', 7],
  ['foo in {"", ||', 12],
  ['foo in ""', 7],
  ['"FOO', 0],
  ['"FOO\'', 0],
  ["'FOO", 0],
  ['(', 1],
  ['(a == "foo"', 11],
  [')', 0],
  ['()', 1],
  ['%', 0],
  ['a == "b" && %', 12],
  ['a == "b" || %', 12],
  ['a ', 2],
  ['has(foo) &&', 11],
  // tokenizer_test.go error cases
  ['label starts foo "value"', 6],
  ['label ends foo "value"', 6],
  ['label squiggles "value"', 6],
  // tokenizes but does not parse (tokenizer_test.go input)
  ['a not in "bar" && !has(foo) || b in c', 9],
  // derived from tokenizer.go / parser.go
  ['a = "b"', 2],
  ['a === "b"', 4],
  ['a !== "b"', 4],
  ['a & b', 2],
  ['has()', 4],
  ['has(a', 5],
  ['has(a b)', 6],
  ['has (a)', 4],
  ['all(x)', 4],
  ['global(', 7],
  ['ALL()', 3],
  ['a in {"x" "y"}', 10],
  ['a in {,}', 6],
  ['a in {"x",,}', 10],
  ['a in {"x"', 9],
  ['a in ("x")', 5],
  ['a inx {"x"}', 2],
  ['a containsx "y"', 2],
  ['a startswithx "y"', 2],
  ['a starts withx "y"', 2],
  ['a not "b"', 2],
  ['a == "b" c == "d"', 9],
  ['a == "b")', 8],
  ['(a == "b"))', 10],
  ['a == "b" && && c == "d"', 12],
  ['a == "b" ||', 11],
  ['!= "b"', 0],
  ['== "b"', 0],
  ['"b" == a', 0],
  ['a == "b"\n&& c == "d"', 8], // newline is not whitespace to Calico
  ['\na == "b"', 0],
  ['ä == "x"', 0],
  ['a:b == "x"', 1],
  ['a@b == "x"', 1],
  [`${'k'.repeat(513)} == "v"`, 0],
  [`has(${'k'.repeat(513)})`, 4],
  ['a in {"x"} in {"y"}', 11],
  ['has(a) == "b"', 7],
  ['!!', 2],
  ['a == "b" !', 9],
];

describe('Selector.parse: canonical form (Calico String())', () => {
  test.each(CALICO_CANONICAL)('%j -> %s', (input, expected) => {
    const sel = Selector.parse(input);
    expect(sel.toString()).toBe(expected);
  });

  test.each(CALICO_CANONICAL.filter(([, out]) => !out.startsWith('!!')))('canonical form of %j is a fixed point', (input) => {
    const canon = Selector.parse(input).toString();
    expect(Selector.parse(canon).toString()).toBe(canon);
  });

  test('the one Calico canonical form that is not a fixed point: a negated negation', () => {
    // Calico keeps !(!x) as two NotNodes and prints "!!x", which it reads back as x.
    const printed = Selector.parse('!(!has(a))').toString();
    expect(printed).toBe('!!has(a)');
    expect(Selector.parse(printed).toString()).toBe('has(a)');
  });
});

describe('Selector.parse: rejects what Calico rejects, with the position', () => {
  test.each(CALICO_REJECTS)('%j is rejected at position %d', (input, position) => {
    let error: unknown;
    try {
      Selector.parse(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SelectorParseError);
    const err = error as SelectorParseError;
    expect(err.position).toBe(position);
    expect(err.text).toBe(input);
    expect(err.message).toContain(`at position ${position}`);
    expect(err.message).toContain(`expected ${err.expected}`);
    // The caret line points at the position under the (tab/newline-flattened) text.
    const lines = err.message.split('\n');
    expect(lines[lines.length - 1]).toBe(`  ${' '.repeat(position)}^`);
    expect(lines[lines.length - 2]).toBe(`  ${input.replace(/[\t\n\r]/g, ' ')}`);
  });

  test('errors say what was expected and what was found', () => {
    expect(() => Selector.parse('a == b')).toThrow(/expected a quoted string after "==", found label "b" at position 5/);
    expect(() => Selector.parse('a in "x"')).toThrow(/expected a set literal .* after "in", found a string at position 5/);
    expect(() => Selector.parse('(a == "b"')).toThrow(/expected "\)".*found the end of the selector at position 9/);
    expect(() => Selector.parse('a b')).toThrow(/expected an operator after label "a"/);
    expect(() => Selector.parse('"FOO')).toThrow(/unterminated string/);
    expect(() => Selector.parse('a == "b" %')).toThrow(/unexpected character "%"/);
    expect(() => Selector.parse(`${'k'.repeat(513)} == "v"`)).toThrow(/at most 512 characters/);
  });

  test('parse errors are EgressValidationErrors, so constructs can locate them', () => {
    let error: unknown;
    try {
      Selector.parse('a ==');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EgressValidationError);
    expect((error as EgressValidationError).at('Chart/Zone', 'podSelector').message).toMatch(/^podSelector "a ==" is not a valid Calico selector.*\(at Chart\/Zone\)$/s);
  });

  test('pathologically deep nesting fails cleanly instead of overflowing the stack', () => {
    const deep = '('.repeat(100_000) + 'has(a)' + ')'.repeat(100_000);
    expect(() => Selector.parse(deep)).toThrow(SelectorParseError);
    const fine = '('.repeat(500) + 'has(a)' + ')'.repeat(500);
    expect(Selector.parse(fine).toString()).toBe('has(a)');
  });
});

describe('tokenizer (Calico tokenizer_test.go table)', () => {
  const K = TokenKind;
  test.each<[string, Array<[TokenKind, string?]>]>([
    ['a=="b"', [[K.LABEL, 'a'], [K.EQ], [K.STRING, 'b'], [K.EOF]]],
    ['label contains "value"', [[K.LABEL, 'label'], [K.CONTAINS], [K.STRING, 'value'], [K.EOF]]],
    ['contains contains "contains"', [[K.LABEL, 'contains'], [K.CONTAINS], [K.STRING, 'contains'], [K.EOF]]],
    ['startswith starts with "value"', [[K.LABEL, 'startswith'], [K.STARTS_WITH], [K.STRING, 'value'], [K.EOF]]],
    ['endswith ends with "value"', [[K.LABEL, 'endswith'], [K.ENDS_WITH], [K.STRING, 'value'], [K.EOF]]],
    ['a not in "bar" && !has(foo) || b in c', [
      [K.LABEL, 'a'], [K.NOT_IN], [K.STRING, 'bar'], [K.AND], [K.NOT], [K.HAS, 'foo'], [K.OR], [K.LABEL, 'b'], [K.IN], [K.LABEL, 'c'], [K.EOF],
    ]],
    ['a  not  in  "bar"  &&  ! has( foo )  ||  b  in  c ', [
      [K.LABEL, 'a'], [K.NOT_IN], [K.STRING, 'bar'], [K.AND], [K.NOT], [K.HAS, 'foo'], [K.OR], [K.LABEL, 'b'], [K.IN], [K.LABEL, 'c'], [K.EOF],
    ]],
    ['a notin"bar"&&!has(foo)||b in"c"', [
      [K.LABEL, 'a'], [K.NOT_IN], [K.STRING, 'bar'], [K.AND], [K.NOT], [K.HAS, 'foo'], [K.OR], [K.LABEL, 'b'], [K.IN], [K.STRING, 'c'], [K.EOF],
    ]],
    ['a not in {"a","B"}', [[K.LABEL, 'a'], [K.NOT_IN], [K.LBRACE], [K.STRING, 'a'], [K.COMMA], [K.STRING, 'B'], [K.RBRACE], [K.EOF]]],
    ['calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"', [
      [K.LABEL, 'calico/k8s_ns'], [K.EQ], [K.STRING, 'kube-system'], [K.AND], [K.LABEL, 'k8s-app'], [K.EQ], [K.STRING, 'kube-dns'], [K.EOF],
    ]],
    ['global()', [[K.GLOBAL], [K.EOF]]],
    ['all()', [[K.ALL], [K.EOF]]],
  ])('%j', (input, expected) => {
    expect(tokenize(input).map(t => (t.value ? [t.kind, t.value] : [t.kind]))).toEqual(expected);
  });

  test('tokens carry their 0-based offsets', () => {
    expect(tokenize('  a != "b"').map(t => t.pos)).toEqual([2, 4, 7, 10]);
  });
});
