/**
 * Calico-grammar selectors (the model's language) translated into Kubernetes label selectors
 * (matchLabels / matchExpressions), which is what Cilium and plain NetworkPolicy speak.
 *
 * A Kubernetes label selector is a conjunction of requirements, so only conjunctions translate:
 * `==`, `!=`, `in`, `not in`, `has()`, `!has()`, `&&`, negations of those, and `||` between values of one
 * key (an `in`). Calico's `!=` and `not in` also match pods without the label, and so do Kubernetes'
 * `NotIn` requirements, so those keep their meaning. Everything else (`contains`, `starts with`,
 * `ends with`, `||` across keys, `global()`, `!all()`) cannot be expressed and is reported, never widened.
 */
import { AllNode, BooleanNode, GlobalNode, HasNode, LabelSetNode, LabelValueNode, NotNode, SelectorNode, ValueOperator } from './ast';
import { parseSelector } from './parser';

/** One requirement of a Kubernetes label selector. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: string[];
}

/** A Kubernetes label selector; empty matches everything. */
export interface KubeLabelSelector {
  readonly matchLabels?: { [key: string]: string };
  readonly matchExpressions?: LabelSelectorRequirement[];
}

/** Thrown when a selector has no Kubernetes equivalent; `reason` says which part. */
export class UntranslatableSelectorError extends Error {
  constructor(public readonly selector: string, public readonly reason: string) {
    super(`selector "${selector}" cannot be expressed as a Kubernetes label selector: ${reason}`);
    this.name = 'UntranslatableSelectorError';
  }
}

// Kubernetes' IsQualifiedName (label keys) and IsValidLabelValue.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && NAME.test(name);
}

function validValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value));
}

class Collector {
  public readonly labels: { [key: string]: string } = {};
  public readonly expressions: LabelSelectorRequirement[] = [];

  constructor(private readonly text: string, private readonly keyPrefix: string) {}

  public fail(reason: string): never {
    throw new UntranslatableSelectorError(this.text, reason);
  }

  public add(key: string, operator: string, values?: readonly string[]): void {
    if (!validKey(key)) this.fail(`label key "${key}" is not a valid Kubernetes label key`);
    for (const v of values ?? []) {
      if (!validValue(v)) this.fail(`value "${v}" of label "${key}" is not a valid Kubernetes label value`);
    }
    const k = this.keyPrefix + key;
    if (operator === 'In' && values!.length === 1 && !(k in this.labels)) {
      this.labels[k] = values![0];
      return;
    }
    if ((operator === 'In' || operator === 'NotIn') && values!.length === 0) {
      // `k in {}` matches nothing, `k not in {}` everything; Kubernetes rejects empty value lists.
      if (operator === 'In') this.fail(`"${key} in {}" matches nothing`);
      return;
    }
    this.expressions.push(values === undefined ? { key: k, operator } : { key: k, operator, values: [...values] });
  }

  /** Adds `node` (negated when `negated`) as requirements ANDed with what is there. */
  public visit(node: SelectorNode, negated: boolean): void {
    if (node instanceof AllNode) {
      if (negated) this.fail('"!all()" matches nothing');
      return;
    }
    if (node instanceof GlobalNode) this.fail('global() has no Kubernetes equivalent');
    if (node instanceof NotNode) return this.visit(node.operand, !negated);
    if (node instanceof HasNode) return this.add(node.key, negated ? 'DoesNotExist' : 'Exists');
    if (node instanceof LabelSetNode) return this.add(node.key, node.negated !== negated ? 'NotIn' : 'In', node.values);
    if (node instanceof LabelValueNode) {
      if (node.op === ValueOperator.EQ) return this.add(node.key, negated ? 'NotIn' : 'In', [node.value]);
      if (node.op === ValueOperator.NE) return this.add(node.key, negated ? 'In' : 'NotIn', [node.value]);
      this.fail(`"${node.op.trim()}" (on label "${node.key}") has no Kubernetes equivalent`);
    }
    if (node instanceof BooleanNode) {
      // De Morgan: a negated OR is an AND of negations; a negated AND is an OR.
      const isAnd = node.isAnd !== negated;
      if (isAnd) {
        for (const op of node.operands) this.visit(op, negated);
        return;
      }
      return this.visitOr(node.operands, negated);
    }
    this.fail('unknown selector node');
  }

  // An OR is expressible only as `key In {…}`: every operand an equality or set on the same key.
  private visitOr(operands: readonly SelectorNode[], negated: boolean): void {
    let key: string | undefined;
    const values: string[] = [];
    for (const raw of operands) {
      let op = raw;
      let neg = negated;
      while (op instanceof NotNode) {
        op = op.operand;
        neg = !neg;
      }
      let k: string | undefined;
      if (!neg && op instanceof LabelValueNode && op.op === ValueOperator.EQ) {
        k = op.key;
        values.push(op.value);
      } else if (op instanceof LabelSetNode && op.negated === neg) {
        k = op.key;
        values.push(...op.values);
      }
      if (k === undefined || (key !== undefined && k !== key)) {
        this.fail('"||" is only expressible between values of one label (as "in")');
      }
      key = k;
    }
    this.add(key!, 'In', [...new Set(values)].sort());
  }
}

/**
 * Translates a Calico selector into a Kubernetes label selector. `keyPrefix` is put before every key
 * (e.g. Cilium's "k8s:io.cilium.k8s.namespace.labels." for namespace labels).
 * @throws UntranslatableSelectorError naming the part that has no equivalent
 */
export function toKubeLabelSelector(selector: string, keyPrefix: string = ''): KubeLabelSelector {
  const c = new Collector(selector, keyPrefix);
  c.visit(parseSelector(selector), false);
  const out: { matchLabels?: { [key: string]: string }; matchExpressions?: LabelSelectorRequirement[] } = {};
  if (Object.keys(c.labels).length > 0) out.matchLabels = c.labels;
  if (c.expressions.length > 0) out.matchExpressions = c.expressions;
  return out;
}

/** ANDs label selectors (requirements on the same key are kept side by side; Kubernetes ANDs them too). */
export function mergeLabelSelectors(...selectors: KubeLabelSelector[]): KubeLabelSelector {
  const matchLabels: { [key: string]: string } = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const s of selectors) {
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
      if (k in matchLabels && matchLabels[k] !== v) matchExpressions.push({ key: k, operator: 'In', values: [v] });
      else matchLabels[k] = v;
    }
    matchExpressions.push(...(s.matchExpressions ?? []));
  }
  const out: { matchLabels?: { [key: string]: string }; matchExpressions?: LabelSelectorRequirement[] } = {};
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}

/** Translates, or returns the problem text for a renderer's `unsupported()` list. */
export function tryKubeLabelSelector(selector: string, keyPrefix: string = ''): { selector?: KubeLabelSelector; problem?: string } {
  try {
    return { selector: toKubeLabelSelector(selector, keyPrefix) };
  } catch (e) {
    if (e instanceof UntranslatableSelectorError) return { problem: e.reason };
    throw e;
  }
}
