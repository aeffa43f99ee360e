import { BackendProblems } from './backend-problems';
import { translateSelector } from './kube-selector';
import { isIpv6, ruleDestinations } from './zone-destinations';
import { CiliumEgressGatewayPolicySpec, CiliumEgressGatewaySelector } from '../cilium';
import { EgressGatewayModel, EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { KubeLabelSelector, mergeLabelSelectors } from '../model/selector/label-selector-translation';

// A zone's gateways on Cilium's own (node-based) egress gateway: CiliumEgressGatewayPolicies. Apart from the
// renderer's network policies because they are a second kind of object with rules of their own.

/** The namespace pseudo-label of CiliumEgressGatewayPolicy pod selectors. */
const EGW_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

/** One CiliumEgressGatewayPolicy to create, under the construct at `path`. */
export interface GatewayPolicyPlan {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly spec: CiliumEgressGatewayPolicySpec;
}

export function gatewayPolicies(zone: EgressZoneModel, doc: EgressModelDocument, problems: BackendProblems): GatewayPolicyPlan[] {
  const zoneGateway = zone.exit.gateway;
  const ruled = zone.rules.filter(r => r.gateway !== undefined && r.gateway !== zoneGateway);
  if (!zoneGateway && ruled.length === 0) return [];
  if (zone.exit.failOpen) {
    problems.add(`fail-open gateways (zone "${zone.name}": Cilium drops traffic when no gateway node is available)`, zone.path, 'set failOpen to false');
  }
  const selectors = gatewaySelectors(zone, problems);
  const out: GatewayPolicyPlan[] = [];
  if (zoneGateway) {
    const gw = gatewayTarget(doc, zoneGateway, zone.path, problems);
    const excluded = new Set(doc.clusterCidrs.filter(c => !isIpv6(c)));
    for (const rule of zone.rules.filter(r => r.bypassGateway)) {
      const dest = ruleDestinations(rule, doc);
      if (dest.domains.length > 0) {
        problems.add(`domain names that bypass a gateway (rule "${rule.name}": CiliumEgressGatewayPolicy excludes CIDRs only)`, rule.path);
      }
      dest.cidrs.filter(c => c.ipVersion === 4).forEach(c => excluded.add(c.cidr));
    }
    if (gw) {
      out.push({
        id: 'CiliumEgressGatewayPolicy',
        path: zone.path,
        name: `egress-${zone.name}`,
        spec: { selectors, destinationCIDRs: ['0.0.0.0/0'], excludedCIDRs: excluded.size > 0 ? [...excluded] : undefined, egressGateway: gw },
      });
    }
  }
  for (const rule of ruled) {
    const gw = gatewayTarget(doc, rule.gateway!, rule.path, problems);
    const dest = ruleDestinations(rule, doc);
    if (dest.domains.length > 0) {
      problems.add(`domain names through a gateway (rule "${rule.name}": CiliumEgressGatewayPolicy matches CIDRs only)`, rule.path);
    }
    const v4 = dest.cidrs.filter(c => c.ipVersion === 4).map(c => c.cidr);
    if (gw && v4.length > 0) {
      out.push({
        id: `CiliumEgressGatewayPolicy-${rule.name}`,
        path: rule.path,
        name: `egress-${zone.name}-${rule.name}`,
        // Cilium looks policies up by longest prefix, so these more specific prefixes win over the zone's 0.0.0.0/0.
        spec: { selectors, destinationCIDRs: v4, egressGateway: gw },
      });
    }
  }
  return out;
}

function gatewaySelectors(zone: EgressZoneModel, problems: BackendProblems): CiliumEgressGatewaySelector[] {
  const pods = translateSelector(zone.members.podSelector, '', `pod selector of zone "${zone.name}"`, zone.path, problems);
  const out: CiliumEgressGatewaySelector[] = [];
  const names = zone.members.namespaces;
  if (names.length > 0) {
    const ns: KubeLabelSelector = names.length === 1 ? { matchLabels: { [EGW_NAMESPACE_LABEL]: names[0] } }
      : { matchExpressions: [{ key: EGW_NAMESPACE_LABEL, operator: 'In', values: [...names] }] };
    out.push({ podSelector: mergeLabelSelectors(ns, pods) });
  }
  if (zone.members.namespaceSelector) {
    const ns = translateSelector(zone.members.namespaceSelector, '', `namespace selector of zone "${zone.name}"`, zone.path, problems);
    out.push({ namespaceSelector: ns, podSelector: pods });
  }
  return out;
}

function gatewayTarget(doc: EgressModelDocument, name: string, usedAt: string, problems: BackendProblems) {
  const gw: EgressGatewayModel | undefined = doc.gateways.find(g => g.name === name);
  if (!gw) return undefined; // the model builder reports undeclared gateways
  const before = problems.count;
  if ((gw.implementation ?? 'cdk8s-egress') === 'calico-enterprise') {
    problems.addUnsupported('calico-enterprise-gateways', `Calico Enterprise gateways (gateway "${gw.name}", used at ${usedAt})`, gw.path, 'use Backend.CALICO_ENTERPRISE for zones that leave through it');
    return undefined;
  }
  if (!gw.nodeSelector) {
    problems.add(`gateways without gateway nodes (gateway "${gw.name}": Cilium's egress gateway runs on nodes chosen by a node selector)`, gw.path, 'give the gateway a nodeSelector');
  }
  if (gw.egressIps.length !== 1 || isIpv6(gw.egressIps[0])) {
    problems.add(`gateways with ${gw.egressIps.length === 1 ? 'an IPv6 egress IP' : `${gw.egressIps.length} egress IPs`} (gateway "${gw.name}": a CiliumEgressGatewayPolicy has one IPv4 egress IP on one gateway node)`,
      gw.path, 'declare one IPv4 egress IP for Cilium');
  }
  const nodes = gw.nodeSelector ? translateSelector(gw.nodeSelector, '', `node selector of gateway "${gw.name}"`, gw.path, problems) : undefined;
  if (problems.count !== before || !nodes) return undefined;
  return { nodeSelector: nodes, egressIP: gw.egressIps[0] };
}
