import { CalicoRule } from './calico-rule';

/**
 * Rules the library's renderers build from the model and share between policies (every zone's DNS and deny
 * rules, catalog rules): sealed, i.e. marked as objects nobody changes afterwards (they never leave the
 * renderers: policies keep only their rendered JSON). A sealed rule is checked against Calico's rules and
 * rendered to JSON once per kind of policy, however many policies hold it; rules users build are not sealed
 * and are checked and rendered every time (they may change a rule object between two policies).
 *
 * Marked, not frozen: freezing every rule object (and its nets and annotations) cost as much as the checks
 * it saved on the 5,000-zone bench.
 */
const SEALED = new WeakMap<CalicoRule, number>();

/** Seals `rules` (the renderer promises never to change them) and returns them. */
export function sealRules(rules: CalicoRule[]): CalicoRule[] {
  for (const rule of rules) if (SEALED.get(rule) === undefined) SEALED.set(rule, 0);
  return rules;
}

/** Whether `rule` is sealed: it cannot have changed since it was first checked and rendered. */
export function isSealed(rule: CalicoRule): boolean {
  return SEALED.has(rule);
}

/**
 * For a sealed rule, the kinds of check (one bit each, numbered by the checker) it has passed; undefined for a
 * rule that is not sealed. One lookup answers both "sealed?" and "checked already?".
 */
export function sealedChecks(rule: CalicoRule): number | undefined {
  return SEALED.get(rule);
}

/** Records the checks a sealed rule has passed (`sealedChecks` plus the new one). */
export function recordSealedChecks(rule: CalicoRule, checks: number): void {
  SEALED.set(rule, checks);
}
