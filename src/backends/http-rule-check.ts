import { BackendProblems } from './backend-problems';
import { IRenderSelection } from './backend-renderer';
import { describeHttpMatch } from '../model/http-match-text';

/**
 * Rules with an HTTP match in zones without a mesh: no network backend enforces methods, paths or server names, and
 * rendering such a rule at layer 4 alone would allow more than it says. With a mesh, the network view has already
 * moved the zone's rules to its egress point (at layer 4) and the mesh renders the HTTP part.
 */
export function httpRuleProblems(backend: string, selection: IRenderSelection): string[] {
  const problems = new BackendProblems(backend);
  for (const zone of selection.zones) {
    if (zone.mesh) continue;
    for (const rule of zone.rules) {
      if (!rule.http) continue;
      problems.add(`HTTP matches (rule "${rule.name}" of zone "${zone.name}", field http: ${describeHttpMatch(rule.http)}; a network policy sees addresses and ports only)`,
        rule.path,
        'add a mesh to the zone (mesh: Backend.istio()), which enforces the HTTP part while this backend enforces addresses and ports');
    }
  }
  return problems.list;
}
