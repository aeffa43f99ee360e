import { Cidr } from './cidr';
import { EgressExitMode, EgressModelDocument, EgressRuleModel, EgressZoneModel } from './egress-model-document';

/** The source addresses the outside world sees for a zone's traffic (or one rule's), and how. */
export interface ZoneSource {
  /** Exit mode actually taken (a rule may bypass the zone's gateway). */
  readonly mode: EgressExitMode;
  /** Addresses/CIDRs the destination sees; empty when the model does not know them (never "any"). */
  readonly cidrs: string[];
  /** In words, for maps and can-reach. */
  readonly description: string;
}

/**
 * Which source addresses a perimeter sees for a zone, or for one of its rules: the gateway's egress IPs,
 * the pool's range when pods are not NATed, the SNAT address, or the node ranges under NAT outgoing.
 * One function, so the firewall exports, the egress map and can-reach always agree.
 */
export class ZoneSources {
  /** The source a perimeter sees for `zone` (or for one of its rules, which may use another gateway). */
  public static of(doc: EgressModelDocument, zone: EgressZoneModel, rule?: EgressRuleModel): ZoneSource {
    return zoneSource(doc, zone, rule);
  }

  /**
   * The source one destination address sees: like `of`, except that under NAT outgoing a pool's no-NAT
   * destinations see the pod's own address.
   */
  public static forDestination(doc: EgressModelDocument, zone: EgressZoneModel, destinationIp: string, rule?: EgressRuleModel): ZoneSource {
    const base = zoneSource(doc, zone, rule);
    if (base.mode !== EgressExitMode.NAT_OUTGOING) return base;
    const target = Cidr.parse(destinationIp);
    const pools = doc.natPools.filter(p => zone.exit.natPools.includes(p.name) && p.natOutgoing
      && p.noNatDestinations.some(d => Cidr.parse(d).contains(target)));
    if (pools.length === 0) return base;
    const cidrs = pools.map(p => p.cidr);
    return { mode: EgressExitMode.POD_ADDRESS, cidrs, description: `pod addresses from ${cidrs.join(', ')} (no-NAT destination of ${pools.map(p => p.name).join(', ')})` };
  }

  private constructor() {}
}

/** @internal */
function zoneSource(doc: EgressModelDocument, zone: EgressZoneModel, rule?: EgressRuleModel): ZoneSource {
  const gatewayName = rule?.bypassGateway ? undefined : rule?.gateway ?? zone.exit.gateway;
  if (gatewayName) {
    const gw = doc.gateways.find(g => g.name === gatewayName);
    const ips = gw ? [...gw.egressIps] : [];
    return { mode: EgressExitMode.GATEWAY, cidrs: ips, description: `gateway ${gatewayName} (${ips.join(', ') || 'egress IPs unknown'})${zone.exit.failOpen ? ', fail-open' : ''}` };
  }
  const pools = doc.natPools.filter(p => zone.exit.natPools.includes(p.name));
  if (pools.some(p => p.snatAddress)) {
    const ips = [...new Set(pools.map(p => p.snatAddress!).filter(Boolean))];
    return { mode: EgressExitMode.NODE_SNAT, cidrs: ips, description: `node SNAT to ${ips.join(', ')}` };
  }
  if (pools.length > 0 && pools.every(p => !p.natOutgoing)) {
    const cidrs = pools.map(p => p.cidr);
    return { mode: EgressExitMode.POD_ADDRESS, cidrs, description: `pod addresses from ${cidrs.join(', ')} (no NAT)` };
  }
  return {
    mode: EgressExitMode.NAT_OUTGOING,
    cidrs: [...doc.nodeCidrs],
    description: doc.nodeCidrs.length ? `NAT outgoing to node addresses (${doc.nodeCidrs.join(', ')})` : 'NAT outgoing to node addresses (node ranges not declared)',
  };
}
