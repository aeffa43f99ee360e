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
  const tiered = zones.filter(z => z.tier !== 'default');
  const given = new Map<string, DeclaredZone>(); // the first zone that gives its tier an order
  for (const zone of tiered.filter(z => z.tierOrder !== undefined)) {
    const first = given.get(zone.tier);
    if (!first) {
      given.set(zone.tier, zone);
    } else if (first.tierOrder !== zone.tierOrder) {
      errors.add(problem(`zones "${first.name}" and "${zone.name}" give tier "${zone.tier}" different orders (${first.tierOrder}, ${zone.tierOrder})`,
        [first.path, zone.path], 'give the tier\'s order once, or the same order in each zone'));
    }
  }
  return new Map(tiered.map(z => [z.tier, given.get(z.tier)?.tierOrder ?? DEFAULT_TIER_ORDER]));
}

/** A zone that allows the API server needs its addresses declared. */
export function checkApiServer(zones: DeclaredZone[], apiServer: ApiServerModel | undefined, errors: ValidationErrors): void {
  for (const zone of zones.filter(z => z.allowApiServer && !apiServer)) {
    errors.add(problem(`zone "${zone.name}" allows the API server, but the API server's addresses are not declared`, zone.path,
      'declare them: new ClusterNetwork(chart, \'cluster\', { apiServerAddresses: [\'<API server address>/32\'] })'));
  }
}
