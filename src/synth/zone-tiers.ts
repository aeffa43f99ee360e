import { problem, ValidationErrors } from '../model/errors';
import { ApiServerModel } from '../model/in-cluster-traffic';

/**
 * Calico tiers the library emits apply before the default tier (order 1,000,000). Calico's own admin tier
 * (AdminNetworkPolicy, 1,000) comes after them unless a zone gives a larger order.
 */
export const DEFAULT_TIER_ORDER = 100;

/** What these checks read of a zone declaration (DeclaredZone has these fields). */
interface DeclaredZone {
  readonly name: string;
  readonly path: string;
  readonly tier: string;
  readonly tierOrder?: number;
  readonly allowApiServer: boolean;
}

/** Each non-default tier's order: the one its zones give (they must agree), else the default. */
export function tierOrders(zones: DeclaredZone[], errors: ValidationErrors): Map<string, number> {
  const given = new Map<string, DeclaredZone>();
  const out = new Map<string, number>();
  for (const zone of zones.filter(z => z.tier !== 'default')) {
    const seen = given.get(zone.tier);
    if (zone.tierOrder !== undefined && seen && seen.tierOrder !== zone.tierOrder) {
      errors.add(problem(`zones "${seen.name}" and "${zone.name}" give tier "${zone.tier}" different orders (${seen.tierOrder}, ${zone.tierOrder})`,
        [seen.path, zone.path], 'give the tier\'s order once, or the same order in each zone'));
    }
    if (zone.tierOrder !== undefined && !seen) given.set(zone.tier, zone);
    out.set(zone.tier, given.get(zone.tier)?.tierOrder ?? out.get(zone.tier) ?? DEFAULT_TIER_ORDER);
  }
  // a later zone may give the order an earlier one left out
  for (const [tier, zone] of given) out.set(tier, zone.tierOrder!);
  return out;
}

/** A zone that allows the API server needs its addresses declared. */
export function checkApiServer(zones: DeclaredZone[], apiServer: ApiServerModel | undefined, errors: ValidationErrors): void {
  for (const zone of zones.filter(z => z.allowApiServer && !apiServer)) {
    errors.add(problem(`zone "${zone.name}" allows the API server, but the API server's addresses are not declared`, zone.path,
      'declare them: new ClusterNetwork(chart, \'cluster\', { apiServerAddresses: [\'<API server address>/32\'] })'));
  }
}
