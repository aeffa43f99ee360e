import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { BackendProblems } from './backend-problems';
import { IRenderSelection } from './backend-renderer';
import {
  CalicoEnterpriseEgressGateway, CalicoEnterpriseEgressGatewayPolicy, CalicoEnterpriseEgressGatewayRule, CalicoEnterpriseGatewayRef,
} from './calico-enterprise-objects';
import { CalicoRenderer } from './calico-renderer';
import { ruleDestinations } from './zone-destinations';
import { CalicoIPPool } from '../calico';
import { Cidr, IpFamily } from '../model/cidr';
import { DestinationSetModel, EgressGatewayModel, EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { Selector } from '../model/selector';
import { tryKubeLabelSelector } from '../model/selector/label-selector-translation';
import { CALICO_NAMESPACE_NAME_LABEL, EGRESS_GATEWAY_POLICY_ANNOTATION, GATEWAY_LABEL, ZONE_LABEL } from '../model/vocabulary';

const BACKEND = 'calico-enterprise';
const CALICO_ENTERPRISE = 'calico-enterprise';
/** Label the library puts on Calico Enterprise gateway pods, and selects them by. */
export { GATEWAY_LABEL, EGRESS_GATEWAY_POLICY_ANNOTATION };
/** Calico's namespace-name label (on every namespace profile). */
/** Namespace annotation naming the EgressGatewayPolicy for the namespace's pods. */

/**
 * Calico Enterprise / Calico Cloud: everything the open-source Calico backend renders, plus
 *  - domain names: a destination set's domains go into its (Global)NetworkSet's `allowedEgressDomains`, so
 *    the zone's allow rule, which selects the set by label, allows them (Calico Enterprise learns their
 *    addresses from DNS answers of trusted DNS servers; only egress Allow rules may match domains);
 *  - Calico Enterprise's own gateways ({@link CalicoEnterpriseGateway}): an operator.tigera.io/v1
 *    EgressGateway, the IPPool of its addresses (`nodeSelector: !all()` so no ordinary pod takes one), one
 *    EgressGatewayPolicy per zone (cluster ranges and bypassing rules: no gateway; rules with their own
 *    gateway: that gateway; everything else: the zone's gateway — longest prefix wins), and the
 *    `egress.projectcalico.org/egressGatewayPolicy` annotation on the zone's namespaces.
 * This library's own gateways (implementation "cdk8s-egress") are left to its data path, as with Calico.
 */
export class CalicoEnterpriseRenderer extends CalicoRenderer {
  public readonly name: string = BACKEND;

  public unsupported(selection: IRenderSelection): string[] {
    const problems = new BackendProblems(BACKEND);
    const doc = selection.document;
    const namespaceOwners = new Map<string, EgressZoneModel>();
    for (const zone of selection.zones) {
      const used = gatewaysOf(zone, doc);
      const enterprise = used.filter(g => g.implementation === CALICO_ENTERPRISE);
      if (enterprise.length === 0) continue;
      if (enterprise.length !== used.length) {
        problems.add(`a mix of Calico Enterprise and cdk8s-egress gateways in one zone (zone "${zone.name}": ${used.map(g => `${g.name} (${g.implementation ?? 'cdk8s-egress'})`).join(', ')})`,
          zone.path, 'use gateways of one kind per zone');
      }
      if (zone.members.namespaceSelector) {
        problems.add(`gateways for namespaces chosen by label (zone "${zone.name}": Calico Enterprise gateways are chosen by a namespace annotation, which needs namespace names)`,
          zone.path, 'list the namespaces by name');
      }
      if (!Selector.parse(zone.members.podSelector).isAll) {
        problems.add(`gateways for some pods of a namespace (zone "${zone.name}" selects pods "${zone.members.podSelector}"; the library annotates namespaces, not pods)`,
          zone.path, 'make the zone cover whole namespaces, or annotate the pods with egress.projectcalico.org/egressGatewayPolicy yourself');
      }
      if (zone.exit.failOpen) {
        problems.add(`fail-open gateways (zone "${zone.name}": Calico Enterprise drops a zone's external traffic when no gateway is ready)`, zone.path, 'set failOpen to false');
      }
      for (const rule of zone.rules.filter(r => r.bypassGateway || (r.gateway !== undefined && r.gateway !== zone.exit.gateway))) {
        const dest = ruleDestinations(rule, doc);
        if (dest.domains.length > 0) {
          problems.add(`domain names in gateway choices (rule "${rule.name}": an EgressGatewayPolicy matches destination CIDRs only)`, rule.path);
        }
      }
      this.checkPolicyRules(zone, doc, problems);
      for (const ns of zone.members.namespaces) {
        const other = namespaceOwners.get(ns);
        if (other) {
          problems.add(`two gateway choices for one namespace (namespace "${ns}" is in zones "${other.name}" and "${zone.name}"; the annotation is per namespace)`, zone.path);
        }
        namespaceOwners.set(ns, zone);
      }
    }
    for (const gw of this.enterpriseGateways(selection)) {
      const t = gw.nodeSelector ? tryKubeLabelSelector(gw.nodeSelector) : {};
      if (t.problem) problems.add(`selector "${gw.nodeSelector}" (node selector of gateway "${gw.name}"): ${t.problem}`, gw.path, 'use ==, !=, in, not in, has() and && only');
    }
    // What the Calico base rejects, asked of the support table for this backend (it rejects less).
    return [...super.unsupported(selection), ...problems.list];
  }

  public render(selection: IRenderSelection): void {
    super.render(selection);
    const doc = selection.document;
    for (const gw of this.enterpriseGateways(selection)) this.renderGateway(selection.scopeFor(gw.path), gw);
    for (const zone of selection.zones) {
      // A staged zone's traffic stays off its gateway: steering it would already change its source address.
      if (zone.staged || !gatewaysOf(zone, doc).some(g => g.implementation === CALICO_ENTERPRISE)) continue;
      const scope = selection.scopeFor(zone.path);
      const policyName = `egress-${zone.name}`;
      new CalicoEnterpriseEgressGatewayPolicy(scope, 'EgressGatewayPolicy', {
        metadata: { name: policyName, labels: { [ZONE_LABEL]: zone.name } },
        rules: this.policyRules(zone, doc),
      });
      for (const ns of zone.members.namespaces) annotateNamespace(scope, ns, EGRESS_GATEWAY_POLICY_ANNOTATION, policyName);
    }
  }

  protected matchesTraffic(set: DestinationSetModel): boolean {
    return set.cidrs.length > 0 || set.domains.length > 0;
  }

  protected renderSet(scope: Construct, set: DestinationSetModel): void {
    super.renderSet(scope, set);
    if (set.domains.length === 0) return;
    const obj = scope.node.tryFindChild(set.namespace ? 'CalicoNetworkSet' : 'CalicoGlobalNetworkSet') as ApiObject | undefined;
    if (!obj) throw new Error(`internal: no network set rendered for destination set "${set.name}" at ${set.path}`);
    // The open-source L1 types have no allowedEgressDomains; Calico Enterprise's (Global)NetworkSet does.
    obj.addJsonPatch(JsonPatch.add('/spec/allowedEgressDomains', [...set.domains]));
  }

  private enterpriseGateways(selection: IRenderSelection): EgressGatewayModel[] {
    const names = new Set(selection.zones.flatMap(z => gatewaysOf(z, selection.document))
      .filter(g => g.implementation === CALICO_ENTERPRISE).map(g => g.name));
    return selection.document.gateways.filter(g => names.has(g.name));
  }

  /** LPM forbids the same destination in two rules: identical prefixes with different choices cannot be expressed. */
  private checkPolicyRules(zone: EgressZoneModel, doc: EgressModelDocument, problems: BackendProblems): void {
    const seen = new Map<string, string>();
    for (const r of this.policyRules(zone, doc)) {
      if (!r.destination) continue;
      const choice = r.gateway ? r.gateway.selector : 'no gateway';
      const before = seen.get(r.destination.cidr);
      if (before !== undefined && before !== choice) {
        problems.add(`two gateway choices for one destination (zone "${zone.name}": ${r.destination.cidr} is both "${before}" and "${choice}")`, zone.path);
      }
      seen.set(r.destination.cidr, choice);
    }
  }

  private policyRules(zone: EgressZoneModel, doc: EgressModelDocument): CalicoEnterpriseEgressGatewayRule[] {
    const rules: CalicoEnterpriseEgressGatewayRule[] = [];
    const added = new Set<string>();
    const add = (r: CalicoEnterpriseEgressGatewayRule) => {
      const key = `${r.destination?.cidr}|${r.gateway?.selector}`;
      if (!added.has(key)) rules.push(r);
      added.add(key);
    };
    for (const cidr of doc.clusterCidrs) add({ description: 'in-cluster: no gateway', destination: { cidr } });
    for (const rule of zone.rules) {
      const bypass = rule.bypassGateway;
      const ownName = !bypass && rule.gateway !== zone.exit.gateway ? rule.gateway : undefined;
      const own = ownName === undefined ? undefined : doc.gateways.find(g => g.name === ownName);
      if (!bypass && !own) continue;
      for (const c of ruleDestinations(rule, doc).cidrs) {
        add(own
          ? { description: `${rule.name}: gateway ${own.name}`, destination: { cidr: c.cidr }, gateway: gatewayRef(own) }
          : { description: `${rule.name}: no gateway`, destination: { cidr: c.cidr } });
      }
    }
    const zoneGateway = zone.exit.gateway ? doc.gateways.find(g => g.name === zone.exit.gateway) : undefined;
    if (zoneGateway) add({ description: `zone ${zone.name}: gateway ${zoneGateway.name}`, gateway: gatewayRef(zoneGateway) });
    return rules;
  }

  private renderGateway(scope: Construct, gw: EgressGatewayModel): void {
    const cidr = Cidr.parse(gw.egressCidr);
    const poolName = `egress-gateway-${gw.name}`;
    new CalicoIPPool(scope, 'CalicoIPPool', {
      metadata: { name: poolName },
      spec: {
        cidr: gw.egressCidr,
        // A block no larger than the pool (Calico needs the pool to hold one block).
        blockSize: cidr.family === IpFamily.IPV4 ? Math.max(cidr.prefixLength, 26) : Math.max(cidr.prefixLength, 122),
        natOutgoing: false,
        nodeSelector: '!all()',
      },
    });
    const nodes = gw.nodeSelector ? tryKubeLabelSelector(gw.nodeSelector).selector : undefined;
    const probes = gw.probes;
    new CalicoEnterpriseEgressGateway(scope, 'EgressGateway', {
      metadata: { name: gw.name, namespace: gw.namespace },
      spec: {
        replicas: gw.replicas,
        ipPools: [{ name: poolName }],
        logSeverity: 'Info',
        template: {
          metadata: { labels: { [GATEWAY_LABEL]: gw.name } },
          spec: nodes ? {
            nodeSelector: nodes.matchLabels,
            affinity: nodes.matchExpressions ? {
              nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: nodes.matchExpressions }] } },
            } : undefined,
          } : undefined,
        },
        egressGatewayFailureDetection: probes ? {
          icmpProbe: probes.icmpTargets.length > 0
            ? { ips: probes.icmpTargets, intervalSeconds: probes.icmpIntervalSeconds, timeoutSeconds: probes.icmpTimeoutSeconds } : undefined,
          httpProbe: probes.httpUrls.length > 0
            ? { urls: probes.httpUrls, intervalSeconds: probes.httpIntervalSeconds, timeoutSeconds: probes.httpTimeoutSeconds } : undefined,
        } : undefined,
      },
    });
  }
}

/** Gateways a zone leaves through: its own and its rules'. */
function gatewaysOf(zone: EgressZoneModel, doc: EgressModelDocument): EgressGatewayModel[] {
  const names = new Set([zone.exit.gateway, ...zone.rules.map(r => r.gateway)].filter((n): n is string => n !== undefined));
  return doc.gateways.filter(g => names.has(g.name));
}

function gatewayRef(gw: EgressGatewayModel): CalicoEnterpriseGatewayRef {
  return {
    namespaceSelector: Selector.labelEquals(CALICO_NAMESPACE_NAME_LABEL, gw.namespace).toString(),
    selector: Selector.labelEquals(GATEWAY_LABEL, gw.name).toString(),
  };
}

/**
 * Adds an annotation to the app's Namespace object for `ns`, creating one when no backend has yet:
 * two manifests for one namespace would undo each other's annotations when applied.
 */
function annotateNamespace(scope: IConstruct, ns: string, key: string, value: string): void {
  const existing = scope.node.root.node.findAll().find((c): c is ApiObject =>
    ApiObject.isApiObject(c) && c.kind === 'Namespace' && c.apiVersion === 'v1' && c.metadata.name === ns);
  const obj = existing ?? new ApiObject(scope as Construct, `Namespace-${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  obj.metadata.addAnnotation(key, value);
}
