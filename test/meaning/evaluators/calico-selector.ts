/**
 * Calico's label selector grammar, evaluated from Calico's documentation
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors), not from the library's
 * parser: ==, !=, in {}, not in {}, has(), !, &&, ||, parentheses, all(), global(), contains, starts with,
 * ends with. `k != v` and `k not in {...}` also match when the label is absent (as documented).
 */
type Labels = { [key: string]: string };
type Node = (labels: Labels) => boolean;

export function calicoSelectorMatches(selector: string | undefined, labels: Labels): boolean {
  if (selector === undefined || selector.trim() === '') return true; // an empty selector is all()
  return parseCalicoSelector(selector)(labels);
}

const CACHE = new Map<string, Node>();

export function parseCalicoSelector(text: string): Node {
  const cached = CACHE.get(text);
  if (cached) return cached;
  const p = new SelectorParser(text);
  const node = p.expression();
  p.skip();
  if (p.i !== text.length) throw new Error(`calico selector: unexpected "${text.slice(p.i)}" in ${text}`);
  CACHE.set(text, node);
  return node;
}

class SelectorParser {
  public i = 0;
  constructor(private readonly s: string) {}

  public skip(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private eat(token: string): boolean {
    this.skip();
    if (this.s.startsWith(token, this.i)) {
      // a word token must not run into more word characters
      if (/[a-z]$/i.test(token) && /[A-Za-z0-9_]/.test(this.s[this.i + token.length] ?? '')) return false;
      this.i += token.length;
      return true;
    }
    return false;
  }

  public expression(): Node {
    let left = this.conjunction();
    while (this.eat('||')) {
      const l = left;
      const r = this.conjunction();
      left = x => l(x) || r(x);
    }
    return left;
  }

  private conjunction(): Node {
    let left = this.unary();
    while (this.eat('&&')) {
      const l = left;
      const r = this.unary();
      left = x => l(x) && r(x);
    }
    return left;
  }

  private unary(): Node {
    this.skip();
    if (this.s[this.i] === '!' && this.s[this.i + 1] !== '=') {
      this.i++;
      const inner = this.unary();
      return x => !inner(x);
    }
    if (this.eat('(')) {
      const e = this.expression();
      if (!this.eat(')')) throw new Error(`calico selector: missing ) in ${this.s}`);
      return e;
    }
    if (this.eat('all()')) return () => true;
    if (this.eat('global()')) return () => true; // global() only means something in namespaceSelector position
    if (this.eat('has(')) {
      const key = this.label();
      if (!this.eat(')')) throw new Error(`calico selector: missing ) after has( in ${this.s}`);
      return x => key in x;
    }
    const key = this.label();
    if (this.eat('==')) {
      const v = this.literal();
      return x => x[key] === v;
    }
    if (this.eat('!=')) {
      const v = this.literal();
      return x => x[key] !== v;
    }
    if (this.eat('not')) {
      if (!this.eat('in')) throw new Error(`calico selector: "not" without "in" in ${this.s}`);
      const vs = this.set();
      return x => !(key in x) || !vs.has(x[key]);
    }
    if (this.eat('in')) {
      const vs = this.set();
      return x => key in x && vs.has(x[key]);
    }
    if (this.eat('contains')) {
      const v = this.literal();
      return x => key in x && x[key].includes(v);
    }
    if (this.eat('starts')) {
      if (!this.eat('with')) throw new Error(`calico selector: "starts" without "with" in ${this.s}`);
      const v = this.literal();
      return x => key in x && x[key].startsWith(v);
    }
    if (this.eat('ends')) {
      if (!this.eat('with')) throw new Error(`calico selector: "ends" without "with" in ${this.s}`);
      const v = this.literal();
      return x => key in x && x[key].endsWith(v);
    }
    throw new Error(`calico selector: expected an operator after "${key}" in ${this.s}`);
  }

  private label(): string {
    this.skip();
    const m = /^[A-Za-z0-9_./-]+/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`calico selector: expected a label at "${this.s.slice(this.i)}" in ${this.s}`);
    this.i += m[0].length;
    return m[0];
  }

  private literal(): string {
    this.skip();
    const q = this.s[this.i];
    if (q !== '"' && q !== '\'') throw new Error(`calico selector: expected a quoted value at "${this.s.slice(this.i)}" in ${this.s}`);
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) throw new Error(`calico selector: unterminated string in ${this.s}`);
    const v = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return v;
  }

  private set(): Set<string> {
    if (!this.eat('{')) throw new Error(`calico selector: expected { in ${this.s}`);
    const out = new Set<string>();
    this.skip();
    if (this.eat('}')) return out;
    do out.add(this.literal()); while (this.eat(','));
    if (!this.eat('}')) throw new Error(`calico selector: expected } in ${this.s}`);
    return out;
  }
}
