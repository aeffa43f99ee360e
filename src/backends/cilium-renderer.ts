import { BackendProblems } from './backend-problems';
import { IBackendRenderer, IRenderSelection } from './backend-renderer';
import { gatewayPolicies, GatewayPolicyPlan } from './cilium-gateway-policies';
import { translatePorts } from './cilium-translation';
import { translateSelector } from './kube-selector';
import { clusterExceptions, insideCluster, isIpv6, portsOf, ruleDestinations } from './zone-destinations';
import {
  CiliumClusterwideNetworkPolicy, CiliumEgressGatewayPolicy, CiliumEgressRule, CiliumFqdnSelector, CiliumPolicySpec, CiliumPortRule,
} from '../cilium';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { InClusterTraffic, inClusterOf } from '../model/in-cluster-traffic';
import { Port } from '../model/port';
import { KubeLabelSelector, LabelSelectorRequirement, mergeLabelSelectors, tryKubeLabelSelector } from '../model/selector/label-selector-translation';
import { ZONE_LABEL, descriptionAnnotations } from '../model/vocabulary';
import { exclusionCombinations, MAX_EXCLUSION_SELECTORS, negationAlternatives, shadowingZones } from '../model/zone-precedence';

/** Cilium's label for an endpoint's namespace (with the "k8s:" source, as Cilium stores it). */
const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';
/** Cilium copies each namespace label onto its endpoints under this prefix. */
const NAMESPACE_LABELS_PREFIX = 'k8s:io.cilium.k8s.namespace.labels.';
const BACKEND = 'cilium';

interface ZonePlan {
  readonly zone: EgressZoneModel;
  readonly specs: CiliumPolicySpec[];
  readonly gateways: GatewayPolicyPlan[];
}

interface Plan {
  readonly problems: string[];
  readonly zones: ZonePlan[];
}

/**
 * Cilium (cilium.io/v2).
 *
 * Per zone, one CiliumClusterwideNetworkPolicy selecting the zone's pods (namespaces through Cilium's
 * `io.kubernetes.pod.namespace` and `io.cilium.k8s.namespace.labels.*` endpoint labels):
 *   1. allow DNS to the cluster DNS pods (with layer-7 DNS rules when the zone uses domain names, because
 *      `toFQDNs` only learns addresses from DNS answers that Cilium's DNS proxy sees),
 *   2. allow the whole cluster (`toEntities: [cluster]`) when the zone asks for it,
 *   3. allow each rule's destinations: `toCIDRSet` (cluster ranges inside an allowed prefix excepted),
 *      `toFQDNs` (one kind of peer per Cilium rule), `toPorts` (with `endPort`) and `icmps`,
 *   4. an `egressDeny` of the world except what the zone allows, so that other policies selecting the same
 *      pods cannot widen the zone (Cilium has no policy order; deny wins). Not with domain names: their
 *      addresses are learnt at run time and a world deny would block them too.
 * Destination sets are written inline (Cilium's CIDR groups cannot carry `except`). Gateways become
 * CiliumEgressGatewayPolicies on Cilium's own (node-based) egress gateway.
 */
export class CiliumRenderer implements IBackendRenderer {
  public readonly name: string = BACKEND;

  public unsupported(selection: IRenderSelection): string[] {
    return this.plan(selection).problems;
  }

  public render(selection: IRenderSelection): void {
    const plan = this.plan(selection);
    if (plan.problems.length > 0) throw new Error(`internal: rendering ${BACKEND} with problems: ${plan.problems.join('; ')}`);
    for (const { zone, specs, gateways } of plan.zones) {
      // A zone whose every pod belongs to zones before it has nothing left to select.
      if (specs.length > 0) {
        new CiliumClusterwideNetworkPolicy(selection.scopeFor(zone.path), 'CiliumClusterwideNetworkPolicy', {
          metadata: {
            name: `egress-${zone.name}`,
            labels: { [ZONE_LABEL]: zone.name },
            annotations: descriptionAnnotations(zone.description),
          },
          ...(specs.length === 1 ? { spec: specs[0] } : { specs }),
        });
      }
      for (const gw of gateways) {
        new CiliumEgressGatewayPolicy(selection.scopeFor(gw.path), gw.id, {
          metadata: { name: gw.name, labels: { [ZONE_LABEL]: zone.name } },
          spec: gw.spec,
        });
      }
    }
  }

  private plan(selection: IRenderSelection): Plan {
    const problems = new BackendProblems(BACKEND);

    for (const pool of selection.natPools) {
      problems.addUnsupported('nat-pools', `NAT pools (pool "${pool.name}" ${pool.cidr}: per-pool natOutgoing, no-NAT destinations and SNAT addresses; Cilium masquerades cluster-wide)`,
        pool.path, 'leave NAT pools out of Cilium estates, or render their zones with Backend.CALICO');
    }
    const zones: ZonePlan[] = [];
    for (const zone of selection.zones) {
      const before = problems.count;
      const specs = this.zoneSpecs(zone, selection.document, problems);
      const gateways = gatewayPolicies(zone, selection.document, problems);
      if (problems.count === before) zones.push({ zone, specs, gateways });
    }
    return { problems: problems.list, zones };
  }

  private zoneSpecs(zone: EgressZoneModel, doc: EgressModelDocument, problems: BackendProblems): CiliumPolicySpec[] {
    if (zone.staged) {
      problems.addUnsupported('staged-zones', `a staged zone (zone "${zone.name}": Cilium has no staged policy; its policy audit mode is set per endpoint or for the whole agent, not per policy)`,
        zone.path, 'leave the zone enforced, or stage it on Calico; for Cilium, run its endpoints in policy audit mode (docs/rolling-out.md)');
    }
    if (zone.tier !== 'default') {
      problems.addUnsupported('tiers', `policy tiers (zone "${zone.name}" is in tier "${zone.tier}")`, zone.path, 'leave tier at its default for Cilium');
    }
    const selectors = this.ownedSelectors(zone, this.subjectSelectors(zone, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX, problems), doc, problems);
    const usesDomains = zone.rules.some(r => ruleDestinations(r, doc).domains.length > 0);
    const egress: CiliumEgressRule[] = [];

    if (zone.dns.enabled) {
      const dnsPods = translateSelector(zone.dns.podSelector, '', `DNS pod selector of zone "${zone.name}"`, zone.path, problems);
      const t = translatePorts(portsOf(zone.dns.ports), `DNS ports of zone "${zone.name}"`, zone.path, problems);
      // The DNS proxy (layer-7 DNS rules) is what lets toFQDNs learn addresses; "*" keeps every name resolvable.
      const toPorts: CiliumPortRule[] | undefined = t.all ? undefined
        : [{ ports: t.ports, rules: usesDomains ? { dns: [{ matchPattern: '*' }] } : undefined }];
      if (usesDomains && t.all) {
        problems.add(`domain names with DNS allowed on every port (zone "${zone.name}"): Cilium's DNS proxy needs the DNS ports`, zone.path);
      }
      egress.push({ toEndpoints: [mergeLabelSelectors({ matchLabels: { [NAMESPACE_LABEL]: zone.dns.namespace } }, dnsPods)], toPorts });
      if (zone.dns.cidrs.length > 0) egress.push({ toCIDRSet: zone.dns.cidrs.map(cidr => ({ cidr })), toPorts });
    }
    if (zone.allowApiServer && doc.apiServer) {
      // Cilium knows the API server's addresses itself (the kube-apiserver entity), wherever it runs
      egress.push({ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: String(doc.apiServer.port), protocol: 'TCP' }] }] });
    }
    const inCluster = inClusterOf(zone);
    if (inCluster === InClusterTraffic.ALLOW) egress.push({ toEntities: ['cluster'] });
    if (inCluster === InClusterTraffic.DENY) {
      problems.addUnsupported('in-cluster-deny', `a deny of in-cluster traffic (zone "${zone.name}": an egressDeny of the cluster would deny DNS too, and deny wins in Cilium)`,
        zone.path, 'use InClusterTraffic.PASS (what no policy allows is denied), or Backend.CALICO');
    }

    const allowed: string[] = [...zone.dns.cidrs];
    for (const rule of zone.rules) {
      const dest = ruleDestinations(rule, doc);
      // A rule never opens cluster ranges: prefixes inside them are left out, ranges inside a prefix excepted.
      const cidrs = dest.cidrs.filter(c => !insideCluster(c.cidr, doc.clusterCidrs));
      allowed.push(...cidrs.map(c => c.cidr));
      const peers: CiliumEgressRule[] = [];
      if (cidrs.length > 0) {
        peers.push({
          toCIDRSet: cidrs.map(c => {
            const except = clusterExceptions(c.cidr, doc.clusterCidrs);
            return except.length > 0 ? { cidr: c.cidr, except } : { cidr: c.cidr };
          }),
        });
      }
      if (dest.domains.length > 0) peers.push({ toFQDNs: dest.domains.map(fqdnSelector) });
      const ports = rule.ports.length === 0 ? [Port.allTraffic()] : portsOf(rule.ports);
      const t = translatePorts(ports, `rule "${rule.name}" of zone "${zone.name}"`, rule.path, problems);
      for (const peer of peers) {
        if (t.all) {
          egress.push(peer);
          continue;
        }
        if (t.ports.length > 0) egress.push({ ...peer, toPorts: [{ ports: t.ports }] });
        if (t.icmps.length > 0) egress.push({ ...peer, icmps: [{ fields: t.icmps }] });
      }
    }

    let egressDeny: CiliumEgressRule[] | undefined;
    if (!usesDomains) {
      const except = [...new Set([...allowed, ...doc.clusterCidrs, ...doc.nodeCidrs])];
      egressDeny = [
        { toCIDRSet: [worldExcept('0.0.0.0/0', except.filter(c => !isIpv6(c)))] },
        { toCIDRSet: [worldExcept('::/0', except.filter(isIpv6))] },
      ];
    }
    return selectors.map(endpointSelector => ({
      endpointSelector,
      description: zone.description,
      enableDefaultDeny: { egress: true, ingress: false },
      egress,
      egressDeny,
    }));
  }

  /**
   * A pod several zones select belongs to the first by order and name (docs/backends.md): the zone's
   * selectors leave out the pods of zones before it, one spec per way of being outside each of them.
   */
  private ownedSelectors(zone: EgressZoneModel, selectors: KubeLabelSelector[], doc: EgressModelDocument,
    problems: BackendProblems): KubeLabelSelector[] {
    const shadows = shadowingZones(zone, doc.zones);
    if (shadows.length === 0) return selectors;
    const alternatives: LabelSelectorRequirement[][][] = shadows.map(a => {
      const alts = negationAlternatives(tryKubeLabelSelector(a.members.podSelector).selector ?? {}).map(r => [r]);
      const notNamed: LabelSelectorRequirement[] = a.members.namespaces.length > 0 ? [{ key: NAMESPACE_LABEL, operator: 'NotIn', values: [...a.members.namespaces] }] : [];
      if (!a.members.namespaceSelector) {
        alts.push(notNamed);
      } else {
        const ns = tryKubeLabelSelector(a.members.namespaceSelector, NAMESPACE_LABELS_PREFIX).selector;
        if (ns) alts.push(...negationAlternatives(ns).map(r => [...notNamed, r]));
      }
      return alts;
    });
    const combinations = exclusionCombinations(alternatives);
    if (!combinations) {
      problems.add(`zones selecting the same pods this often (zone "${zone.name}" after ${shadows.map(a => `"${a.name}"`).join(', ')}: more than ${MAX_EXCLUSION_SELECTORS} selectors)`,
        zone.path, 'make the zones\' pod selectors exclusive');
      return selectors;
    }
    return selectors.flatMap(s => combinations.map(extra => extra.length === 0 ? s : mergeLabelSelectors(s, { matchExpressions: extra })));
  }

  /** One endpoint selector per way the zone selects namespaces (by name, by label): their union. */
  private subjectSelectors(zone: EgressZoneModel, namespaceKey: string, labelsPrefix: string,
    problems: BackendProblems): KubeLabelSelector[] {
    const pods = translateSelector(zone.members.podSelector, '', `pod selector of zone "${zone.name}"`, zone.path, problems);
    const out: KubeLabelSelector[] = [];
    const names = zone.members.namespaces;
    if (names.length === 1) out.push(mergeLabelSelectors({ matchLabels: { [namespaceKey]: names[0] } }, pods));
    if (names.length > 1) out.push(mergeLabelSelectors({ matchExpressions: [{ key: namespaceKey, operator: 'In', values: [...names] }] }, pods));
    if (zone.members.namespaceSelector) {
      const ns = translateSelector(zone.members.namespaceSelector, labelsPrefix, `namespace selector of zone "${zone.name}"`, zone.path, problems);
      out.push(mergeLabelSelectors(ns, pods));
    }
    return out;
  }

}

function worldExcept(cidr: string, except: string[]) {
  return except.length > 0 ? { cidr, except } : { cidr };
}

function fqdnSelector(domain: string): CiliumFqdnSelector {
  return domain.includes('*') ? { matchPattern: domain } : { matchName: domain };
}
