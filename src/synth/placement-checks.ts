import { EgressGatewayModel, EgressZoneModel, NatPoolModel } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { Selector } from '../model/selector';
import { CALICO_NAMESPACE_NAME_LABEL, gatewayLabels, NAMESPACE_NAME_LABEL } from '../model/vocabulary';

// Which pods end up where: declarations that are each valid alone but put pods somewhere nobody meant.

/**
 * A pool without NAT that no zone uses and that lists no namespaces: its IPPool would select no namespace
 * (Calico then lets every pod draw from it), so any pod could leave the cluster with an un-NATed address.
 */
export function openPoolProblems(pools: readonly NatPoolModel[]): string[] {
  return pools.filter(p => !p.natOutgoing && p.namespaces.length === 0).map(p => problem(
    `natOutgoing "false" of NAT pool "${p.name}" (${p.cidr}) is for no namespace: no zone uses the pool and it lists none, so its IPPool would have no namespaceSelector and any pod could draw un-NATed addresses from it`,
    p.path, 'give the pool to a zone (EgressZone natPools) or list its namespaces; for a cluster-wide routable pool declare a CalicoIPPool yourself'));
}

/**
 * A gateway whose pods a zone selects: the zone's policy would judge what the gateway forwards for others, and
 * a zone that leaves through the gateway would steer the gateway's own traffic back into a gateway. Calico
 * Enterprise's gateway policy applies to whole namespaces, so there the namespace alone decides.
 */
export function gatewayPlacementProblems(zones: readonly EgressZoneModel[], gateways: readonly EgressGatewayModel[]): string[] {
  const out: string[] = [];
  for (const gw of gateways) {
    const nsLabels = { [NAMESPACE_NAME_LABEL]: gw.namespace, [CALICO_NAMESPACE_NAME_LABEL]: gw.namespace };
    const podLabels = gatewayLabels(gw.name);
    for (const zone of zones) {
      const m = zone.members;
      const inNamespace = m.namespaces.includes(gw.namespace)
        || (m.namespaceSelector !== undefined && Selector.parse(m.namespaceSelector).matches(nsLabels));
      if (!inNamespace) continue;
      if ((gw.implementation ?? 'cdk8s-egress') === 'cdk8s-egress' && !Selector.parse(m.podSelector).matches(podLabels)) continue;
      const serves = zone.exit.gateway === gw.name || zone.rules.some(r => r.gateway === gw.name);
      out.push(problem(`namespace "${gw.namespace}" of gateway "${gw.name}" is covered by zone "${zone.name}"${serves ? ', which leaves through this gateway' : ''}: the gateway's pods would become members of the zone, `
        + `so its policy would judge what the gateway forwards for other zones${serves ? ' and would steer the gateway\'s own traffic back into a gateway' : ''}`,
      [gw.path, zone.path], `run the gateway in a namespace of its own that no zone selects (e.g. "egress-gateway")${gw.implementation === 'calico-enterprise' ? '' : ', or leave its pods out of the zone\'s podSelector'}`));
    }
  }
  return out;
}
