import { Construct } from 'constructs';
import { FeatureKey, rejects } from './backend-capabilities';
import { IBackendRenderer, IRenderSelection } from './backend-renderer';
import { dnsProxyRules } from './calico-domain-rules';
import { calicoZonePolicyName } from './calico-policy-name';
import { renderCalicoPools } from './calico-pools';
import { AllowRuleContext, allowRules, apiServerRules, denyExternalRules, dnsRules, inClusterRules, INLINE_NETS_MAX, rendersInline } from './calico-zone-rules';
import { namespaceSelectorOf, ownedSelector } from './calico-zone-selectors';
import { CalicoApiObject, CalicoGlobalNetworkPolicy, CalicoGlobalNetworkPolicyProps, CalicoGlobalNetworkSet, CalicoNetworkSet, CalicoPolicyType, CalicoRule, CalicoStagedGlobalNetworkPolicy, CalicoTier } from '../calico';
import { sealRules } from '../calico/sealed-rules';
import { AGENT_DOMAIN_BACKENDS, ruleDomains, usesAgentDomains } from '../datapath/compile-domains';
import { isDataPathGateway } from '../datapath/gateway-routing';
import { DestinationSetModel, EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { problem } from '../model/errors';
import { DESTINATION_SET_LABEL, ZONE_LABEL, descriptionAnnotations } from '../model/vocabulary';

/** Label every destination set carries, so policies select sets by name and nothing else by accident. */
export { DESTINATION_SET_LABEL, ZONE_LABEL };
export { INLINE_NETS_MAX };

/** Tiers every Calico cluster has (Calico 3.30+ adds the two for AdminNetworkPolicy): never emitted. */
export const BUILT_IN_TIERS = ['default', 'kube-admin', 'kube-baseline'];

/**
 * Open-source Calico (projectcalico.org/v3).
 *
 * Per zone, one GlobalNetworkPolicy (types: [Egress]) selecting the zone's pods in its namespaces:
 *   1. allow DNS to the cluster DNS pods (and extra DNS addresses),
 *   2. allow the API server (when the zone asks for it),
 *   3. in-cluster destinations, node ranges included: Allow, Deny or Pass (to the next tier), as the zone chooses,
 *   4. allow each rule's destination sets on its ports (one Calico rule per protocol),
 *   5. deny everything else that is external.
 * A zone in the default tier that passes in-cluster traffic has no rule 3: that traffic is not denied by rule 5
 * when the cluster ranges are declared, falls through to later policies of the tier (e.g. the app teams'
 * NetworkPolicies at order 1000) and ends in Calico's end-of-tier deny if none allows it. Without declared
 * cluster ranges rule 5 denies everything, which is the safe reading of "default-deny egress".
 * A staged zone's policy is a StagedGlobalNetworkPolicy with the same metadata and spec: Felix evaluates and
 * reports it without acting on traffic (sets, tiers and pools are not policies and stay as they are).
 * Each tier other than Calico's own is emitted as a Tier, before the policies in it.
 * Destination sets become GlobalNetworkSets (or NetworkSets) selected by label, so a list is written once.
 * NAT pools become IPPools; "no NAT to these ranges" becomes disabled IPPools (Calico never NATs towards
 * any pool's range, enabled or not — the technique Calico's egress guide describes).
 */
export class CalicoRenderer implements IBackendRenderer {
  public readonly name: string = 'calico';
  /** Which sets match traffic (Calico Enterprise overrides it) and the rules zones share, per document. */
  private readonly ruleContext: AllowRuleContext = {
    matchesTraffic: set => this.matchesTraffic(set),
    sharedRules: new WeakMap(),
    agentDomains: () => AGENT_DOMAIN_BACKENDS.includes(this.name),
  };

  public unsupported(selection: IRenderSelection): string[] {
    const problems: string[] = [];
    // This class renders Calico and (as a base) Calico Enterprise: the support table says which rejects what.
    const rejected = (feature: FeatureKey) => rejects(this.name, feature);
    for (const set of rejected('domain-names') ? selection.destinationSets : []) {
      if (set.domains.length > 0) {
        const declared = declaredAs(set, selection.zones);
        problems.push(problem(`backend "${this.name}" cannot match domain names (${declared.what}: ${set.domains.join(', ')})`, declared.paths,
          'use Backend.CALICO_ENTERPRISE or Backend.CILIUM, or list addresses'));
      }
    }
    // Domain names on this backend are the node agent's (docs/domain-names.md): an EgressGateway deploys it.
    const agentZones = selection.zones.filter(z => z.backend === this.name && usesAgentDomains(selection.document, z));
    if (agentZones.length > 0 && !selection.document.gateways.some(isDataPathGateway)) {
      const rules = agentZones.flatMap(z => z.rules.map(r => ({ z, r, names: ruleDomains(selection.document, r) })).filter(x => x.names.length > 0));
      const what = rules.map(x => `rule "${x.r.name}" of zone "${x.z.name}": ${x.names.join(', ')}`).join('; ');
      problems.push(problem(`backend "${this.name}" matches domain names through the cdk8s-egress node agent, which no EgressGateway of the app deploys (${what})`,
        rules.map(x => x.r.path), 'declare an EgressGateway (its egress-nat DaemonSet is the node agent), use Backend.CALICO_ENTERPRISE or Backend.CILIUM, or list addresses'));
    }
    for (const zone of rejected('calico-enterprise-gateways') ? selection.zones : []) {
      for (const name of new Set([zone.exit.gateway, ...zone.rules.map(r => r.gateway)])) {
        const gw = selection.document.gateways.find(g => g.name === name);
        if (gw?.implementation === 'calico-enterprise') {
          problems.push(problem(`backend "${this.name}" cannot express Calico Enterprise gateways (gateway "${gw.name}", used by zone "${zone.name}")`, zone.path, 'use Backend.CALICO_ENTERPRISE'));
        }
      }
    }
    return problems;
  }

  public render(selection: IRenderSelection): void {
    for (const set of selection.destinationSets) {
      if (!rendersInline(set)) this.renderSet(selection.scopeFor(set.path), set);
    }
    this.renderTiers(selection);
    for (const zone of selection.zones) this.renderZone(selection.scopeFor(zone.path), zone, selection.document);
    renderCalicoPools(selection);
  }

  protected renderSet(scope: Construct, set: DestinationSetModel): void {
    const metadata = {
      name: set.name,
      labels: { ...set.labels, [DESTINATION_SET_LABEL]: set.name },
      annotations: descriptionAnnotations(set.description),
    };
    const nets = set.cidrs.map(c => c.cidr);
    if (set.namespace) {
      new CalicoNetworkSet(scope, 'CalicoNetworkSet', { metadata: { ...metadata, namespace: set.namespace }, spec: { nets } });
    } else {
      new CalicoGlobalNetworkSet(scope, 'CalicoGlobalNetworkSet', { metadata, spec: { nets } });
    }
  }

  /** One Tier per tier the zones use (Calico's built-in tiers exist already), under the first zone (by path) in it. */
  private renderTiers(selection: IRenderSelection): void {
    const firstZone = new Map<string, EgressZoneModel>();
    for (const zone of [...selection.zones].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      if (!BUILT_IN_TIERS.includes(zone.tier) && !firstZone.has(zone.tier)) firstZone.set(zone.tier, zone);
    }
    for (const [tier, zone] of firstZone) {
      new CalicoTier(selection.scopeFor(zone.path), `CalicoTier-${tier}`, { metadata: { name: tier }, spec: { order: zone.tierOrder } });
    }
  }

  /** Whether a rule selecting this set can match any traffic (here: it has addresses; Calico Enterprise adds domains). */
  protected matchesTraffic(set: DestinationSetModel): boolean {
    return set.cidrs.length > 0;
  }

  protected renderZone(scope: Construct, zone: EgressZoneModel, doc: EgressModelDocument): CalicoApiObject {
    // Sealed: many of these rule objects are shared by every zone, so each is checked and rendered once.
    const egress: CalicoRule[] = sealRules([
      ...(AGENT_DOMAIN_BACKENDS.includes(this.name) && usesAgentDomains(doc, zone) ? dnsProxyRules(doc, zone) : dnsRules(zone.dns)),
      ...(zone.allowApiServer ? apiServerRules(doc) : []),
      ...inClusterRules(zone, doc),
      ...allowRules(zone, doc, this.ruleContext),
      ...denyExternalRules(doc),
    ]);
    const name = calicoZonePolicyName(zone);
    const props: CalicoGlobalNetworkPolicyProps = {
      metadata: {
        name,
        labels: { [ZONE_LABEL]: zone.name },
        annotations: descriptionAnnotations(zone.description),
      },
      spec: {
        tier: zone.tier === 'default' ? undefined : zone.tier,
        order: zone.order,
        selector: ownedSelector(zone, doc),
        namespaceSelector: namespaceSelectorOf(zone),
        types: [CalicoPolicyType.EGRESS],
        egress,
      },
    };
    return zone.staged ? new CalicoStagedGlobalNetworkPolicy(scope, 'CalicoStagedGlobalNetworkPolicy', props)
      : new CalicoGlobalNetworkPolicy(scope, 'CalicoGlobalNetworkPolicy', props);
  }

}

/**
 * A destination set as the user declared it: a shared DestinationSet by its name, a rule's own addresses
 * by the rule (and zone) they were written in.
 */
export function declaredAs(set: DestinationSetModel, zones: EgressZoneModel[]): { what: string; paths: string[] } {
  if (!set.inline) return { what: `destination set "${set.name}"`, paths: [set.path] };
  const rules = zones.flatMap(z => z.rules.filter(r => r.destinationSets.includes(set.name)).map(r => ({ zone: z.name, rule: r })));
  if (rules.length === 0) return { what: `destination set "${set.name}"`, paths: [set.path] };
  return {
    what: rules.map(r => `rule "${r.rule.name}" of zone "${r.zone}"`).join(', '),
    paths: [...new Set(rules.map(r => r.rule.path))],
  };
}
