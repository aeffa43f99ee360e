import { k8s } from 'cdk8s-plus-28';
import { BackendProblems } from './backend-problems';
import { IBackendRenderer, IRenderSelection } from './backend-renderer';
import { translateSelector } from './kube-selector';
import { clusterExceptions, insideCluster, portsOf, ruleDestinations } from './zone-destinations';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { InClusterTraffic, inClusterOf, inClusterRanges } from '../model/in-cluster-traffic';
import { Port } from '../model/port';
import { KubeLabelSelector, mergeLabelSelectors, tryKubeLabelSelector } from '../model/selector/label-selector-translation';
import { NAMESPACE_NAME_LABEL, ZONE_LABEL, descriptionAnnotations } from '../model/vocabulary';
import { exclusionCombinations, MAX_EXCLUSION_SELECTORS, negationAlternatives, shadowingZones } from '../model/zone-precedence';

const BACKEND = 'kubernetes';
/** Set by Kubernetes on every namespace (1.21+): selects a namespace by name. */

interface ZonePlan {
  readonly zone: EgressZoneModel;
  /** Per namespace, the pod selectors of the zone's pods there that no zone before it owns. */
  readonly selectors: Map<string, KubeLabelSelector[]>;
  readonly egress: k8s.NetworkPolicyEgressRule[];
}

/**
 * Plain Kubernetes NetworkPolicy (networking.k8s.io/v1), for any CNI that enforces it.
 *
 * Per zone and namespace, one NetworkPolicy with `policyTypes: [Egress]` selecting the zone's pods: that
 * alone makes their egress default-deny (NetworkPolicy is allow-only), and the rules allow
 *   1. DNS to the cluster DNS pods (and extra DNS addresses),
 *   2. the API server's addresses and port, and every pod of every namespace plus the cluster and node ranges,
 *      when the zone asks for them (a deny of in-cluster traffic cannot be said: NetworkPolicy only allows),
 *   3. each rule's addresses as `ipBlock`s (cluster ranges inside an allowed prefix excepted) on its ports
 *      (`endPort` for ranges).
 * Written with the typed `KubeNetworkPolicy` of cdk8s-plus-28's Kubernetes imports rather than its L2
 * `NetworkPolicy`, whose peers are constructs of their own and whose ports cannot be named ports.
 * What NetworkPolicy cannot say is reported: domain names, ICMP and other protocols, gateways, NAT pools,
 * tiers, and zones that choose namespaces by label (a NetworkPolicy lives in one named namespace).
 * NetworkPolicies are additive and unordered: another policy selecting the same pods can allow more.
 */
export class KubernetesRenderer implements IBackendRenderer {
  public readonly name: string = BACKEND;

  public unsupported(selection: IRenderSelection): string[] {
    return this.plan(selection).problems;
  }

  public render(selection: IRenderSelection): void {
    const { problems, zones } = this.plan(selection);
    if (problems.length > 0) throw new Error(`internal: rendering ${BACKEND} with problems: ${problems.join('; ')}`);
    for (const { zone, selectors, egress } of zones) {
      const scope = selection.scopeFor(zone.path);
      for (const [namespace, podSelectors] of selectors) {
        // One policy per selector: a zone that leaves out the pods of zones before it is a union of selectors.
        podSelectors.forEach((podSelector, i) => {
          new k8s.KubeNetworkPolicy(scope, i === 0 ? `NetworkPolicy-${namespace}` : `NetworkPolicy-${namespace}-${i + 1}`, {
            metadata: {
              name: i === 0 ? `egress-${zone.name}` : `egress-${zone.name}-${i + 1}`,
              namespace,
              labels: { [ZONE_LABEL]: zone.name },
              annotations: descriptionAnnotations(zone.description),
            },
            spec: { podSelector, policyTypes: ['Egress'], egress },
          });
        });
      }
    }
  }

  private plan(selection: IRenderSelection): { problems: string[]; zones: ZonePlan[] } {
    const problems = new BackendProblems(BACKEND);
    for (const pool of selection.natPools) {
      problems.addUnsupported('nat-pools', `NAT pools (pool "${pool.name}" ${pool.cidr}: address pools and their NAT are the CNI's, not NetworkPolicy's)`, pool.path,
        'leave NAT pools out, or render their zones with Backend.CALICO (Calico as CNI)');
    }
    const zones: ZonePlan[] = [];
    for (const zone of selection.zones) {
      const before = problems.count;
      const plan = this.zone(zone, selection.document, problems);
      if (problems.count === before) zones.push(plan);
    }
    return { problems: problems.list, zones };
  }

  private zone(zone: EgressZoneModel, doc: EgressModelDocument, problems: BackendProblems): ZonePlan {
    if (zone.staged) {
      problems.addUnsupported('staged-zones', `a staged zone (zone "${zone.name}": NetworkPolicy has no staged or audit mode; the policy would be enforced)`,
        zone.path, 'leave the zone enforced, or stage it on Calico, whose StagedKubernetesNetworkPolicy and staged kinds report without enforcing (docs/rolling-out.md)');
    }
    if (zone.members.namespaceSelector) {
      problems.addUnsupported('namespace-selectors', `namespaces chosen by label (zone "${zone.name}": namespaceSelector "${zone.members.namespaceSelector}"; a NetworkPolicy belongs to one named namespace)`,
        zone.path, 'list the namespaces by name');
    }
    if (zone.tier !== 'default') problems.addUnsupported('tiers', `policy tiers (zone "${zone.name}" is in tier "${zone.tier}")`, zone.path, 'leave tier at its default');
    if (zone.exit.gateway || zone.rules.some(r => r.gateway)) {
      problems.addUnsupported('gateways', `egress gateways (zone "${zone.name}" leaves through gateway "${zone.exit.gateway ?? zone.rules.find(r => r.gateway)!.gateway}"; NetworkPolicy filters, it cannot steer traffic)`,
        zone.path, 'use Backend.CALICO, Backend.CALICO_ENTERPRISE or Backend.CILIUM for zones with gateways');
    }
    const podSelector = translateSelector(zone.members.podSelector, '', `pod selector of zone "${zone.name}"`, zone.path, problems);
    const egress: k8s.NetworkPolicyEgressRule[] = [];

    if (zone.dns.enabled) {
      const dnsPods = translateSelector(zone.dns.podSelector, '', `DNS pod selector of zone "${zone.name}"`, zone.path, problems);
      const ports = this.ports(portsOf(zone.dns.ports), `DNS ports of zone "${zone.name}"`, zone.path, problems);
      egress.push({
        to: [
          { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: zone.dns.namespace } }, podSelector: dnsPods },
          ...zone.dns.cidrs.map(cidr => ({ ipBlock: { cidr } })),
        ],
        ports,
      });
    }
    if (zone.allowApiServer && doc.apiServer) {
      egress.push({ to: doc.apiServer.cidrs.map(cidr => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(doc.apiServer.port) }] });
    }
    const inCluster = inClusterOf(zone);
    const inClusterCidrs = inClusterRanges(doc);
    if (inCluster === InClusterTraffic.ALLOW) {
      // Every pod in every namespace, and the cluster and node ranges (services before DNAT, host-network pods, the kubelet).
      egress.push({ to: [{ namespaceSelector: {} }, ...inClusterCidrs.map(cidr => ({ ipBlock: { cidr } }))] });
    }
    if (inCluster === InClusterTraffic.DENY) {
      problems.addUnsupported('in-cluster-deny', `a deny of in-cluster traffic (zone "${zone.name}": NetworkPolicy only allows; another policy selecting the pods could allow it)`,
        zone.path, 'use InClusterTraffic.PASS (what no NetworkPolicy allows is denied), or Backend.CALICO');
    }
    for (const rule of zone.rules) {
      const dest = ruleDestinations(rule, doc);
      if (dest.domains.length > 0) {
        problems.addUnsupported('domain-names', `domain names (rule "${rule.name}": ${dest.domains.join(', ')}; NetworkPolicy matches addresses only)`, rule.path,
          'use Backend.CALICO_ENTERPRISE or Backend.CILIUM, or list addresses');
      }
      // A rule never opens cluster ranges: prefixes inside them are left out, ranges inside a prefix excepted.
      const cidrs = dest.cidrs.filter(c => !insideCluster(c.cidr, inClusterCidrs));
      if (cidrs.length === 0) continue;
      const to = cidrs.map(c => {
        const except = clusterExceptions(c.cidr, inClusterCidrs);
        return { ipBlock: except.length > 0 ? { cidr: c.cidr, except } : { cidr: c.cidr } };
      });
      const ports = rule.ports.length === 0 ? undefined : this.ports(portsOf(rule.ports), `rule "${rule.name}" of zone "${zone.name}"`, rule.path, problems);
      egress.push(ports ? { to, ports } : { to });
    }
    return { zone, selectors: this.ownedSelectors(zone, podSelector, doc, problems), egress };
  }

  /** A pod several zones select belongs to the first by order and name: leave out the pods of earlier zones. */
  private ownedSelectors(zone: EgressZoneModel, podSelector: KubeLabelSelector, doc: EgressModelDocument,
    problems: BackendProblems): Map<string, KubeLabelSelector[]> {
    const out = new Map<string, KubeLabelSelector[]>();
    const shadows = shadowingZones(zone, doc.zones);
    for (const namespace of zone.members.namespaces) {
      const here = shadows.filter(a => a.members.namespaces.includes(namespace));
      const alternatives = here.map(a => negationAlternatives(tryKubeLabelSelector(a.members.podSelector).selector ?? {}).map(r => [r]));
      const combinations = exclusionCombinations(alternatives);
      if (!combinations) {
        problems.add(`zones selecting the same pods this often (zone "${zone.name}" in namespace ${namespace} after ${here.map(a => `"${a.name}"`).join(', ')}: more than ${MAX_EXCLUSION_SELECTORS} policies)`,
          zone.path, 'make the zones\' pod selectors exclusive');
        continue;
      }
      out.set(namespace, combinations.map(extra => extra.length === 0 ? podSelector : mergeLabelSelectors(podSelector, { matchExpressions: extra })));
    }
    return out;
  }

  /** NetworkPolicy ports; `undefined` means every port of every protocol. */
  private ports(ports: Port[], what: string, path: string, problems: BackendProblems): k8s.NetworkPolicyPort[] | undefined {
    if (ports.some(p => p.isAllTraffic)) return undefined;
    const out: k8s.NetworkPolicyPort[] = [];
    for (const p of ports) {
      const proto = p.protocol!;
      if (!proto.supportsPorts) {
        problems.addUnsupported(proto.isIcmp ? 'icmp' : 'other-protocols', `protocol ${proto.name} (${what}: "${p}"; NetworkPolicy matches TCP, UDP and SCTP only)`, path);
        continue;
      }
      if (p.portName !== undefined) out.push({ protocol: proto.name, port: k8s.IntOrString.fromString(p.portName) });
      else if (p.fromPort === undefined) out.push({ protocol: proto.name });
      else if (p.fromPort === p.toPort) out.push({ protocol: proto.name, port: k8s.IntOrString.fromNumber(p.fromPort) });
      else out.push({ protocol: proto.name, port: k8s.IntOrString.fromNumber(p.fromPort), endPort: p.toPort });
    }
    return out;
  }
}
