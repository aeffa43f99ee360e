import { EgressZoneModel } from '../model/egress-model-document';
import { describeHttpMatch } from '../model/http-match-text';

/**
 * One warning for all rules whose HTTP part a perimeter cannot see: the firewall files carry their addresses and ports
 * (layer 4), and the mesh's egress point enforces the methods, paths, hosts and server names.
 */
export function layer7Warning(zones: EgressZoneModel[]): string | undefined {
  const rules = zones.flatMap(z => z.rules.filter(r => r.http).map(r => `${z.name}/${r.name} (${describeHttpMatch(r.http!)})`));
  if (rules.length === 0) return undefined;
  return `the HTTP part of ${rules.length} rule${rules.length === 1 ? '' : 's'} is not in the firewall files, which allow their addresses and ports only `
    + `(a perimeter sees no methods, paths or server names; the zones' mesh enforces them): ${rules.join(', ')}`;
}
