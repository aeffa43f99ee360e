/**
 * Which source addresses a perimeter firewall sees for a zone's rule, per destination.
 *
 * Builds on the model's one zone-source function (so the egress map, can-reach and the exports agree on
 * the exit: gateway egress IPs, pod pool range, SNAT address or node ranges) and adds what only matters
 * per destination: under NAT outgoing, a pool's no-NAT destinations see the pod addresses instead.
 */
import { aggregate, intersect, subtract } from './addresses';
import { FirewallAddress } from './firewall-export-input';
import { EgressExitMode, EgressModelDocument, EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { ZoneSources } from '../model/zone-source';

/** One (sources, destinations) pair of a rule. */
export interface SourcedDestinations {
  /** Exit mode that produced the sources. */
  readonly mode: EgressExitMode;
  /** Source addresses, aggregated; empty when the model does not know them. */
  readonly sources: FirewallAddress[];
  /** The destinations these sources reach (a subset of the rule's). */
  readonly destinations: FirewallAddress[];
  /** Whether domain names go with this pair (the NATed/normal path; names cannot be split by address). */
  readonly withDomains: boolean;
  /** Suffix for the entry id ("" or "-nonat"). */
  readonly idSuffix: string;
  /** In words. */
  readonly description: string;
  /** Why the sources are unknown, when they are. */
  readonly unknownReason?: string;
}

/** The sources a perimeter sees for a whole zone (what its default deny must cover). */
export function zoneSourceAddresses(doc: EgressModelDocument, zone: EgressZoneModel): FirewallAddress[] {
  return aggregate(ZoneSources.of(doc, zone).cidrs.map(cidr => ({ cidr })));
}

/**
 * Splits one rule's destinations by the source address the perimeter will see for them.
 * Never returns "any": unknown sources come back empty, with the reason.
 */
export function ruleSources(doc: EgressModelDocument, zone: EgressZoneModel, rule: EgressRuleModel,
  destinations: FirewallAddress[]): SourcedDestinations[] {
  const base = ZoneSources.of(doc, zone, rule);
  const sources = aggregate(base.cidrs.map(cidr => ({ cidr })));
  const unknownReason = sources.length > 0 ? undefined : unknownSourceReason(base.mode, rule.gateway ?? zone.exit.gateway);
  const main: SourcedDestinations = {
    mode: base.mode, sources, destinations, withDomains: true, idSuffix: '', description: base.description, unknownReason,
  };
  if (base.mode !== EgressExitMode.NAT_OUTGOING) return [main];

  const pools = doc.natPools.filter(p => zone.exit.natPools.includes(p.name) && p.natOutgoing);
  const noNat = [...new Set(pools.flatMap(p => p.noNatDestinations))].sort();
  if (noNat.length === 0) return [main];
  const inside = intersect(destinations, noNat);
  if (inside.length === 0) return [main];
  const podRanges = aggregate(pools.map(p => ({ cidr: p.cidr })));
  // The NATed pair may end up with no addresses but still carry the rule's domain names.
  return [{ ...main, destinations: subtract(destinations, noNat) }, {
    mode: EgressExitMode.POD_ADDRESS,
    sources: podRanges,
    destinations: inside,
    withDomains: false,
    idSuffix: '-nonat',
    description: `pod addresses from ${podRanges.map(p => p.cidr).join(', ')} (no-NAT destinations of ${pools.map(p => p.name).join(', ')})`,
  }];
}

function unknownSourceReason(mode: EgressExitMode, gateway?: string): string {
  switch (mode) {
    case EgressExitMode.NAT_OUTGOING:
      return 'leaves through NAT outgoing but no node address ranges are declared (ClusterNetwork nodeCidrs)';
    case EgressExitMode.GATEWAY:
      return `leaves through gateway "${gateway}", which has no egress IPs`;
    default:
      return 'has no source address the perimeter can see';
  }
}
