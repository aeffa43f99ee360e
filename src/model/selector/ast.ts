/**
 * Calico selector AST (internal; not exported from the package root).
 *
 * Mirrors libcalico-go/lib/selector/parser/ast.go: node types, Evaluate semantics and
 * the fragments String() prints. The printed form is Calico's canonical form:
 * - `&&`/`||` nodes always print in parentheses, operands joined by " && " / " || ";
 * - `!` prints directly before its operand, with no parentheses of its own;
 * - a string prints in double quotes unless it contains one, then in single quotes;
 * - set members print sorted (byte order) and de-duplicated, joined by ", ".
 */

/** Label maps as Calico sees them: a missing key is "absent", "" is present. */
export type Labels = { readonly [key: string]: string };

const hasOwn = Object.prototype.hasOwnProperty;

function lookup(labels: Labels, key: string): string | undefined {
  return hasOwn.call(labels, key) ? labels[key] : undefined;
}

/** Quotes a value the way Calico prints it. */
export function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

/** Orders strings as Go compares them (UTF-8 bytes, i.e. code points), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after U+E000-U+FFFF in code-point order.
    if (x >= 0xd800 && x <= 0xdfff) x += 0x2000; else if (x >= 0xe000) x -= 0x800;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x2000; else if (y >= 0xe000) y -= 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts and de-duplicates like Calico's ConvertToStringSetInPlace. */
export function toStringSet(values: readonly string[]): string[] {
  if (values.length <= 1) return values.slice();
  const sorted = values.slice().sort(compareCodePoints);
  const out = [sorted[0]];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] !== out[out.length - 1]) out.push(sorted[i]);
  }
  return out;
}

/** Base of all nodes. */
export abstract class SelectorNode {
  /** Calico's Evaluate. */
  public abstract evaluate(labels: Labels): boolean;
  /** Appends this node's canonical text (Calico's collectFragments). */
  public abstract print(out: string[]): void;
  /** Whether `global()` occurs in this subtree. */
  public abstract get usesGlobal(): boolean;
}

/** `all()`: matches everything; also what the empty selector parses to. */
export class AllNode extends SelectorNode {
  public evaluate(): boolean { return true; }
  public print(out: string[]): void { out.push('all()'); }
  public get usesGlobal(): boolean { return false; }
}

/** `global()`: matches everything; meaningful only in a namespaceSelector (non-namespaced endpoints). */
export class GlobalNode extends SelectorNode {
  public evaluate(): boolean { return true; }
  public print(out: string[]): void { out.push('global()'); }
  public get usesGlobal(): boolean { return true; }
}

/** `has(key)`. */
export class HasNode extends SelectorNode {
  constructor(public readonly key: string) { super(); }
  public evaluate(labels: Labels): boolean { return hasOwn.call(labels, this.key); }
  public print(out: string[]): void { out.push('has(', this.key, ')'); }
  public get usesGlobal(): boolean { return false; }
}

// An enum of the operators' printed forms, shaped like every enum (egress-model-document.ts's too): left on purpose.
/** The binary label/string operators. */
export enum ValueOperator {
  EQ = ' == ',
  NE = ' != ',
  CONTAINS = ' contains ',
  STARTS_WITH = ' starts with ',
  ENDS_WITH = ' ends with ',
}

/** `key <op> "value"`. */
export class LabelValueNode extends SelectorNode {
  constructor(public readonly key: string, public readonly op: ValueOperator, public readonly value: string) { super(); }

  public evaluate(labels: Labels): boolean {
    const v = lookup(labels, this.key);
    switch (this.op) {
      case ValueOperator.EQ: return v !== undefined && v === this.value;
      // Calico: != and not-in match when the label is absent.
      case ValueOperator.NE: return v === undefined || v !== this.value;
      case ValueOperator.CONTAINS: return v !== undefined && v.includes(this.value);
      case ValueOperator.STARTS_WITH: return v !== undefined && v.startsWith(this.value);
      case ValueOperator.ENDS_WITH: return v !== undefined && v.endsWith(this.value);
    }
  }

  public print(out: string[]): void { out.push(this.key, this.op, quote(this.value)); }
  public get usesGlobal(): boolean { return false; }
}

/** `key in {…}` / `key not in {…}`; `values` is already a sorted, de-duplicated set. */
export class LabelSetNode extends SelectorNode {
  private lookupSet?: Set<string>;

  constructor(public readonly key: string, public readonly negated: boolean, public readonly values: readonly string[]) { super(); }

  public evaluate(labels: Labels): boolean {
    const v = lookup(labels, this.key);
    if (v === undefined) return this.negated;
    return this.contains(v) !== this.negated;
  }

  public print(out: string[]): void {
    out.push(this.key, this.negated ? ' not in {' : ' in {');
    for (let i = 0; i < this.values.length; i++) {
      if (i > 0) out.push(', ');
      out.push(quote(this.values[i]));
    }
    out.push('}');
  }

  public get usesGlobal(): boolean { return false; }

  private contains(v: string): boolean {
    if (this.values.length <= 8) return this.values.includes(v);
    this.lookupSet ??= new Set(this.values);
    return this.lookupSet.has(v);
  }
}

/** `!operand`. */
export class NotNode extends SelectorNode {
  constructor(public readonly operand: SelectorNode) { super(); }
  public evaluate(labels: Labels): boolean { return !this.operand.evaluate(labels); }
  public print(out: string[]): void {
    out.push('!');
    this.operand.print(out);
  }
  public get usesGlobal(): boolean { return this.operand.usesGlobal; }
}

/** `(a && b && …)` or `(a || b || …)`, two or more operands. */
export class BooleanNode extends SelectorNode {
  constructor(public readonly isAnd: boolean, public readonly operands: readonly SelectorNode[]) { super(); }

  public evaluate(labels: Labels): boolean {
    for (const op of this.operands) {
      if (op.evaluate(labels) !== this.isAnd) return !this.isAnd;
    }
    return this.isAnd;
  }

  public print(out: string[]): void {
    out.push('(');
    this.operands[0].print(out);
    const sep = this.isAnd ? ' && ' : ' || ';
    for (let i = 1; i < this.operands.length; i++) {
      out.push(sep);
      this.operands[i].print(out);
    }
    out.push(')');
  }

  public get usesGlobal(): boolean { return this.operands.some(o => o.usesGlobal); }
}

/** Canonical text of a tree. */
export function printNode(node: SelectorNode): string {
  const out: string[] = [];
  node.print(out);
  return out.join('');
}
