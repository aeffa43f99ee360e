import { BackendProblems } from './backend-problems';
import { KubeLabelSelector, tryKubeLabelSelector } from '../model/selector/label-selector-translation';

/**
 * A Calico-grammar selector as a Kubernetes label selector (keys under `prefix`), or a problem naming what it cannot
 * say: the one translation Kubernetes NetworkPolicy, ClusterNetworkPolicy and Cilium report alike.
 */
export function translateSelector(selector: string, prefix: string, what: string, path: string, problems: BackendProblems): KubeLabelSelector {
  const t = tryKubeLabelSelector(selector, prefix);
  if (t.problem) problems.add(`selector "${selector}" (${what}): ${t.problem}`, path, 'use ==, !=, in, not in, has() and && only');
  return t.selector ?? {};
}
