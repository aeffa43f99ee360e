import { CALICO_ENDPOINT_NAMESPACE_LABEL } from '../vocabulary';
import { AllNode, BooleanNode, compareCodePoints, GlobalNode, HasNode, LabelSetNode, LabelValueNode, NotNode, printNode, SelectorNode, toStringSet, ValueOperator } from './ast';
import { parseSelector } from './parser';
import { isValidLabelName, MAX_LABEL_LENGTH } from './tokenizer';
import { EgressValidationError } from '../errors';


/** RFC 1123 label, as Kubernetes requires for namespace names. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkKey(key: string): void {
  if (!isValidLabelName(key)) {
    throw new EgressValidationError('label key', key, `is not a label name Calico selectors accept (1-${MAX_LABEL_LENGTH} characters of a-z, A-Z, 0-9, "_", ".", "/", "-")`,
      undefined, 'prefixed keys such as "kubernetes.io/metadata.name" are fine');
  }
}

function checkValue(key: string, value: string): void {
  // Calico strings have no escapes: a value can be quoted with ' or " but not contain both.
  if (value.includes('"') && value.includes("'")) {
    throw new EgressValidationError(`value of label "${key}"`, value, 'contains both \' and ", which no Calico selector string can express');
  }
}

/**
 * A Calico label selector (the `selector`, `namespaceSelector` and `nodeSelector` language of
 * Calico resources), parsed and printed exactly as Calico's libcalico-go does.
 *
 * `toString()` returns Calico's canonical form, e.g. `Selector.parse("a in {'y','x'} && has(b)")`
 * prints `(a in {"x", "y"} && has(b))`.
 */
export class Selector {
  /**
   * Parses selector text with Calico's grammar. The empty or blank selector is `all()`.
   * @throws if Calico would reject the text; the message shows the 0-based position and what was expected
   */
  public static parse(text: string): Selector {
    return new Selector(parseSelector(text));
  }

  /** `all()`: selects everything. */
  public static all(): Selector {
    return new Selector(new AllNode());
  }

  /**
   * `global()`: in a rule's namespaceSelector, selects non-namespaced (host/global) endpoints.
   * Only valid in namespaceSelector positions; callers check `usesGlobal` where it is not allowed.
   */
  public static global(): Selector {
    return new Selector(new GlobalNode());
  }

  /** `has(key)`: the label is present, with any value. */
  public static has(key: string): Selector {
    checkKey(key);
    return new Selector(new HasNode(key));
  }

  /** `key == "value"`. */
  public static labelEquals(key: string, value: string): Selector {
    return Selector.valueOp(key, ValueOperator.EQ, value);
  }

  /** `key != "value"` (also true when the label is absent, as in Calico). */
  public static labelNotEquals(key: string, value: string): Selector {
    return Selector.valueOp(key, ValueOperator.NE, value);
  }

  /** `key in {"v1", "v2"}`; values are sorted and de-duplicated as Calico prints them. */
  public static labelIn(key: string, values: string[]): Selector {
    return Selector.setOp(key, false, values);
  }

  /** `key not in {"v1", "v2"}` (also true when the label is absent, as in Calico). */
  public static labelNotIn(key: string, values: string[]): Selector {
    return Selector.setOp(key, true, values);
  }

  /**
   * Endpoints in namespace `name`, for a Calico namespaced selector:
   * `projectcalico.org/namespace == "name"`.
   */
  public static namespace(name: string): Selector {
    if (name.length > 63 || !NAMESPACE_NAME.test(name)) {
      throw new EgressValidationError('namespace', name, 'is not a valid Kubernetes namespace name (RFC 1123 label: lower-case alphanumerics and "-", at most 63 characters)');
    }
    return Selector.labelEquals(CALICO_ENDPOINT_NAMESPACE_LABEL, name);
  }

  /** The AND of `key == "value"` for each entry, in key order; `{}` gives `all()`. */
  public static fromLabels(labels: { [key: string]: string }): Selector {
    const keys = Object.keys(labels).sort(compareCodePoints);
    if (keys.length === 0) return Selector.all();
    return Selector.and(...keys.map(k => Selector.labelEquals(k, labels[k])));
  }

  /**
   * AND of the selectors. `all()` operands are dropped (they match everything); nested ANDs are
   * flattened; no operands (or only `all()`) gives `all()`.
   */
  public static and(...selectors: Selector[]): Selector {
    return Selector.combine(true, selectors);
  }

  /**
   * OR of the selectors. Nested ORs are flattened; any `all()` operand makes the result `all()`;
   * no operands gives `all()`.
   */
  public static or(...selectors: Selector[]): Selector {
    return Selector.combine(false, selectors);
  }

  // `and`, `or`, `not` and `global` are reserved words in Python (jsii renames them `and_`, `or_`, `not_`,
  // `global_`): these names read the same in every language.

  /** The same as `Selector.and`: a name that is no reserved word in Python. */
  public static allOf(...selectors: Selector[]): Selector {
    return Selector.and(...selectors);
  }

  /** The same as `Selector.or`: a name that is no reserved word in Python. */
  public static anyOf(...selectors: Selector[]): Selector {
    return Selector.or(...selectors);
  }

  /** The same as `Selector.global()`: a name that is no reserved word in Python. */
  public static globalEndpoints(): Selector {
    return Selector.global();
  }

  private static valueOp(key: string, op: ValueOperator, value: string): Selector {
    checkKey(key);
    checkValue(key, value);
    return new Selector(new LabelValueNode(key, op, value));
  }

  private static setOp(key: string, negated: boolean, values: string[]): Selector {
    checkKey(key);
    for (const v of values) checkValue(key, v);
    return new Selector(new LabelSetNode(key, negated, toStringSet(values)));
  }

  private static combine(isAnd: boolean, selectors: Selector[]): Selector {
    const operands: SelectorNode[] = [];
    for (const s of selectors) {
      const node = s.root;
      if (node instanceof AllNode) {
        if (isAnd) continue;
        return s;
      }
      if (node instanceof BooleanNode && node.isAnd === isAnd) operands.push(...node.operands);
      else operands.push(node);
    }
    if (operands.length === 0) return Selector.all();
    if (operands.length === 1) return new Selector(operands[0]);
    return new Selector(new BooleanNode(isAnd, operands));
  }

  private readonly root: SelectorNode;
  private canonical?: string;

  private constructor(root: SelectorNode) {
    this.root = root;
  }

  /** `(this && other)`; see `Selector.and`. */
  public andWith(other: Selector): Selector {
    return Selector.and(this, other);
  }

  /** `(this || other)`; see `Selector.or`. */
  public orWith(other: Selector): Selector {
    return Selector.or(this, other);
  }

  /** `!this`; negating a negation gives back the inner selector (Calico reads `!!x` as `x`). */
  public not(): Selector {
    const node = this.root;
    return new Selector(node instanceof NotNode ? node.operand : new NotNode(node));
  }

  /** The same as `not()`: a name that is no reserved word in Python. */
  public negate(): Selector {
    return this.not();
  }

  /** Whether `global()` occurs anywhere in this selector. */
  public get usesGlobal(): boolean {
    return this.root.usesGlobal;
  }

  /** Whether this selector is exactly `all()` (which includes the empty selector). */
  public get isAll(): boolean {
    return this.root instanceof AllNode;
  }

  /**
   * Evaluates the selector against a label map as Calico's Evaluate does
   * (e.g. `!=` and `not in` also match when the label is absent; `global()` matches).
   */
  public matches(labels: { [key: string]: string }): boolean {
    return this.root.evaluate(labels);
  }

  /** Calico's canonical form of this selector (what Calico's `String()` prints). */
  public toString(): string {
    this.canonical ??= printNode(this.root);
    return this.canonical;
  }

  /** Whether both selectors have the same canonical form (named `sameAs`: jsii prohibits `equals`). */
  public sameAs(other: Selector): boolean {
    return this.toString() === other.toString();
  }
}
