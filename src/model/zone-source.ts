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
   * The source one destination sees: like `of` for the destination's address family (IPv4 traffic never
   * leaves with an IPv6 source), except that under NAT outgoing a pool's no-NAT destinations see the pod's
   * own address. A domain name (no address) gets the zone's source for its rule.
   */
  public static forDestination(doc: EgressModelDocument, zone: EgressZoneModel, destination: string, rule?: EgressRuleModel): ZoneSource {
    if (!/^[0-9.]+$/.test(destination) && !destination.includes(':')) return zoneSource(doc, zone, rule);
    const target = Cidr.parse(destination);
    const base = zoneSource(doc, zone, rule, target.family === 'IPv4' ? 4 : 6);
    if (base.mode !== EgressExitMode.NAT_OUTGOING) return base;
    const pools = doc.natPools.filter(p => zone.exit.natPools.includes(p.name) && p.natOutgoing
      && p.noNatDestinations.some(d => Cidr.parse(d).contains(target)));
    if (pools.length === 0) return base;
    const cidrs = pools.map(p => p.cidr);
    return { mode: EgressExitMode.POD_ADDRESS, cidrs, description: `pod addresses from ${cidrs.join(', ')} (no-NAT destination of ${pools.map(p => p.name).join(', ')})` };
  }

  private constructor() {}
}

const familyOf = (cidr: string) => (cidr.includes(':') ? 6 : 4);

/**
 * A zone's (or rule's) source; with `family`, the source of that family's traffic only. Without one, both
 * families' sources together. A family the zone's pools do not cover leaves the default way (NAT outgoing
 * to the node ranges) when the cluster has pods of that family: pools are per family in Calico IPAM.
 */
function zoneSource(doc: EgressModelDocument, zone: EgressZoneModel, rule?: EgressRuleModel, family?: 4 | 6): ZoneSource {
  if (family === undefined) {
    const [v4, v6] = [familySource(doc, zone, rule, 4), familySource(doc, zone, rule, 6)];
    if (v6.cidrs.length === 0) return v4.cidrs.length > 0 ? v4 : familySource(doc, zone, rule, undefined);
    if (v4.cidrs.length === 0) return v6;
    if (v4.mode === v6.mode) return familySource(doc, zone, rule, undefined);
    return { mode: v4.mode, cidrs: [...v4.cidrs, ...v6.cidrs], description: `${v4.description}; IPv6: ${v6.description}` };
  }
  return familySource(doc, zone, rule, family);
}

function familySource(doc: EgressModelDocument, zone: EgressZoneModel, rule: EgressRuleModel | undefined, family: 4 | 6 | undefined): ZoneSource {
  const ofFamily = (list: string[]) => (family === undefined ? list : list.filter(c => familyOf(c) === family));
  const gatewayName = rule?.bypassGateway ? undefined : rule?.gateway ?? zone.exit.gateway;
  if (gatewayName) {
    const gw = doc.gateways.find(g => g.name === gatewayName);
    const ips = ofFamily(gw ? [...gw.egressIps] : []);
    // Both families: each family's addresses apart, as each family's traffic leaves with its own.
    const [v4, v6] = [ips.filter(ip => familyOf(ip) === 4), ips.filter(ip => familyOf(ip) === 6)];
    const shown = v4.length && v6.length ? `${v4.join(', ')}; IPv6: ${v6.join(', ')}` : ips.join(', ');
    return { mode: EgressExitMode.GATEWAY, cidrs: ips, description: `gateway ${gatewayName} (${shown || 'egress IPs unknown'})${zone.exit.failOpen ? ', fail-open' : ''}` };
  }
  const zonePools = doc.natPools.filter(p => zone.exit.natPools.includes(p.name));
  const pools = family === undefined ? zonePools : zonePools.filter(p => p.ipVersion === family);
  // A family the zone's pools do not cover: its pods take that family's address from the cluster's default
  // pool (NAT outgoing), if the cluster has pods of that family at all.
  const podsOfFamily = family !== undefined && doc.clusterCidrs.some(c => familyOf(c) === family);
  const natOnly = zonePools.every(p => p.natOutgoing && !p.snatAddress);
  if (family !== undefined && pools.length === 0 && zonePools.length > 0 && !natOnly && !podsOfFamily) {
    return { mode: zoneMode(zonePools), cidrs: [], description: `no IPv${family} pod addresses` };
  }
  if (pools.some(p => p.snatAddress)) {
    const ips = [...new Set(pools.map(p => p.snatAddress!).filter(Boolean))];
    return { mode: EgressExitMode.NODE_SNAT, cidrs: ips, description: `node SNAT to ${ips.join(', ')}` };
  }
  if (pools.length > 0 && pools.every(p => !p.natOutgoing)) {
    const cidrs = pools.map(p => p.cidr);
    return { mode: EgressExitMode.POD_ADDRESS, cidrs, description: `pod addresses from ${cidrs.join(', ')} (no NAT)` };
  }
  const nodes = ofFamily(doc.nodeCidrs);
  return {
    mode: EgressExitMode.NAT_OUTGOING,
    cidrs: nodes,
    description: nodes.length ? `NAT outgoing to node addresses (${nodes.join(', ')})` : 'NAT outgoing to node addresses (node ranges not declared)',
  };
}

function zoneMode(pools: { natOutgoing: boolean; snatAddress?: string }[]): EgressExitMode {
  if (pools.some(p => p.snatAddress)) return EgressExitMode.NODE_SNAT;
  return pools.every(p => !p.natOutgoing) ? EgressExitMode.POD_ADDRESS : EgressExitMode.NAT_OUTGOING;
}
