import { CalicoRule } from './calico-rule';

/**
 * Rules the library's renderers build once and share between policies (every zone's DNS and deny rules,
 * catalog rules): sealed, i.e. frozen with every plain object and array inside them, so they can never
 * change. A sealed rule is checked against Calico's rules and rendered to JSON once per kind of policy, however
 * many policies hold it; rules users build are not sealed and are checked and rendered every time.
 * (Value objects inside rules, such as CalicoPort and CalicoProtocol, are immutable classes: left as they are.)
 */
const SEALED = new WeakSet<object>();

/** Seals `rules` (those already sealed are skipped) and returns them. */
export function sealRules(rules: CalicoRule[]): CalicoRule[] {
  for (const rule of rules) {
    if (SEALED.has(rule)) continue;
    deepFreeze(rule);
    SEALED.add(rule);
  }
  return rules;
}

/** Whether `rule` is sealed: it cannot have changed since it was first checked and rendered. */
export function isSealed(rule: CalicoRule): boolean {
  return SEALED.has(rule);
}

function deepFreeze(value: any): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return;
  Object.freeze(value);
  for (const k of Object.keys(value)) deepFreeze(value[k]);
}
