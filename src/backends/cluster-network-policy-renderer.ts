import { ApiObject } from 'cdk8s';
import { BackendProblems } from './backend-problems';
import { IBackendRenderer, IRenderSelection } from './backend-renderer';
import { CLUSTER_NETWORK_POLICY_BACKEND as BACKEND, zoneEgress } from './cluster-network-policy-rules';
import { CNP_API_VERSION, CNP_KIND, CNP_MAX_PRIORITY, CNP_RELEASE, CnpSpec, CnpSubject } from './cluster-network-policy-types';
import { translateSelector } from './kube-selector';
import { oncePer } from '../model/bounded-memo';
import { EgressZoneModel } from '../model/egress-model-document';
import { KubeLabelSelector } from '../model/selector/label-selector-translation';
import { NAMESPACE_NAME_LABEL, ZONE_LABEL, descriptionAnnotations } from '../model/vocabulary';
import { byPrecedence } from '../model/zone-precedence';

/** The first zone's priority; 0-99 stay free for the cluster owner's policies that must come before every zone. */
export const FIRST_ZONE_PRIORITY = 100;

interface PolicyPlan {
  readonly id: string;
  readonly name: string;
  readonly spec: CnpSpec;
}

interface SelectionPlan {
  readonly problems: string[];
  readonly zones: ZonePlan[];
}

interface ZonePlan {
  readonly zone: EgressZoneModel;
  readonly policies: PolicyPlan[];
  readonly domainRules: { readonly path: string; readonly rule: string }[];
}

/**
 * Kubernetes' own cluster-wide policy API, ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1, SIG Network's
 * `sigs.k8s.io/network-policy-api` v0.3.0), for any CNI that implements it.
 *
 * Per zone, one policy in the Admin tier (before every NetworkPolicy; its Accept and Deny are final) selecting the
 * zone's pods, with the priority of the zone's place in the zones' order (by order, then name: 100, 101, ...), so
 * the first zone that selects a pod decides for it. Its rules (cluster-network-policy-rules.ts) accept DNS, the API
 * server and each rule's `networks` (and, experimental, `domainNames`) on its ports, Accept, Pass or Deny in-cluster
 * destinations by the zone's choice before them, and end in a Deny of everything. A zone that passes in-cluster
 * traffic on gets a second policy in the Baseline tier that denies it: the pod's NetworkPolicies decide, and when
 * none selects the pod it is dropped, as on the other backends. Zones that list namespaces by name and by label get
 * one policy per way (a subject is one selector).
 * What it cannot say is reported: ICMP types and other protocols, named ports, Calico tiers, NAT pools, gateways,
 * staged zones, selectors beyond Kubernetes label selectors, and more than 25 rules or 625 destinations per rule.
 */
export class ClusterNetworkPolicyRenderer implements IBackendRenderer {
  public readonly name: string = BACKEND;
  private readonly plans = new WeakMap<IRenderSelection, SelectionPlan>();

  public unsupported(selection: IRenderSelection): string[] {
    return this.plan(selection).problems;
  }

  public render(selection: IRenderSelection): void {
    for (const { zone, policies } of this.renderable(selection)) {
      for (const p of policies) {
        new ApiObject(selection.scopeFor(zone.path), p.id, {
          apiVersion: CNP_API_VERSION,
          kind: CNP_KIND,
          metadata: { name: p.name, labels: { [ZONE_LABEL]: zone.name }, annotations: descriptionAnnotations(zone.description) },
          spec: p.spec,
        });
      }
    }
  }

  /** Warnings: domainNames are experimental in the release (only its experimental CRD has them). */
  public warnings(selection: IRenderSelection): { path: string; message: string }[] {
    return this.plan(selection).zones.flatMap(z => z.domainRules.map(r => ({
      path: r.path,
      message: `rule "${r.rule}" of zone "${z.zone.name}" matches domain names with ClusterNetworkPolicy's domainNames, which ${CNP_RELEASE} marks experimental: `
        + 'only the experimental channel\'s CRD has the field (the standard CRD rejects it) and only some CNIs implement it',
    })));
  }

  /** The zones' plans; synth reports problems before it renders, so one left here is an internal error. */
  private renderable(selection: IRenderSelection): ZonePlan[] {
    const plan = this.plan(selection);
    if (plan.problems.length > 0) throw new Error(`internal: rendering ${BACKEND} with problems: ${plan.problems.join('; ')}`);
    return plan.zones;
  }

  /** Once per selection: synth asks for the problems, the warnings and the objects of the same selection. */
  private plan(selection: IRenderSelection): SelectionPlan {
    return oncePer(this.plans, selection, s => this.planSelection(s));
  }

  private planSelection(selection: IRenderSelection): SelectionPlan {
    const problems = new BackendProblems(BACKEND);
    for (const pool of selection.natPools) {
      problems.addUnsupported('nat-pools', `NAT pools (pool "${pool.name}" ${pool.cidr}: address pools and their NAT are the CNI's, not ClusterNetworkPolicy's)`, pool.path,
        'leave NAT pools out, or render their zones with Backend.CALICO (Calico as CNI)');
    }
    // Priorities follow every zone of the document, so a zone keeps its place whichever backend the others use.
    const rank = new Map(byPrecedence(selection.document.zones).map((z, i) => [z.name, i]));
    const zones: ZonePlan[] = [];
    for (const zone of selection.zones) {
      const before = problems.count;
      const plan = this.zone(zone, FIRST_ZONE_PRIORITY + rank.get(zone.name)!, selection, problems);
      if (problems.count === before) zones.push(plan);
    }
    return { problems: problems.list, zones };
  }

  private zone(zone: EgressZoneModel, priority: number, selection: IRenderSelection, problems: BackendProblems): ZonePlan {
    if (zone.staged) {
      problems.addUnsupported('staged-zones', `a staged zone (zone "${zone.name}": ClusterNetworkPolicy has no staged or audit mode; the policy would be enforced)`,
        zone.path, 'leave the zone enforced, or stage it on Calico (docs/rolling-out.md)');
    }
    if (zone.tier !== 'default') {
      problems.addUnsupported('tiers', `Calico tiers (zone "${zone.name}" is in tier "${zone.tier}"; ClusterNetworkPolicy has two fixed tiers, Admin and Baseline)`,
        zone.path, 'leave tier at its default: the zone\'s order sets its priority in the Admin tier');
    }
    if (zone.exit.gateway || zone.rules.some(r => r.gateway)) {
      problems.addUnsupported('gateways', `egress gateways (zone "${zone.name}" leaves through gateway "${zone.exit.gateway ?? zone.rules.find(r => r.gateway)!.gateway}"; ClusterNetworkPolicy filters, it cannot steer traffic)`,
        zone.path, 'use Backend.CALICO, Backend.CALICO_ENTERPRISE or Backend.CILIUM for zones with gateways');
    }
    if (priority > CNP_MAX_PRIORITY) {
      problems.add(`more than ${CNP_MAX_PRIORITY - FIRST_ZONE_PRIORITY + 1} zones (zone "${zone.name}" would get priority ${priority}; the API's highest is ${CNP_MAX_PRIORITY})`, zone.path,
        'merge zones');
    }
    const pods = translateSelector(zone.members.podSelector, '', `pod selector of zone "${zone.name}"`, zone.path, problems);
    const subjects: { suffix: string; subject: CnpSubject }[] = [];
    if (zone.members.namespaces.length > 0) {
      const byName = { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...zone.members.namespaces].sort() }] };
      subjects.push({ suffix: '', subject: subjectOf(byName, pods) });
    }
    if (zone.members.namespaceSelector) {
      const byLabel = translateSelector(zone.members.namespaceSelector, '', `namespace selector of zone "${zone.name}"`, zone.path, problems);
      subjects.push({ suffix: subjects.length > 0 ? '-by-label' : '', subject: subjectOf(byLabel, pods) });
    }
    const egress = zoneEgress(zone, selection.document, problems);
    const policies: PolicyPlan[] = [];
    for (const { suffix, subject } of subjects) {
      policies.push({ id: `ClusterNetworkPolicy${suffix}`, name: `egress-${zone.name}${suffix}`, spec: { tier: 'Admin', priority, subject, egress: egress.admin } });
      if (egress.baseline) {
        policies.push({
          id: `ClusterNetworkPolicy${suffix}-baseline`,
          name: `egress-${zone.name}${suffix}-baseline`,
          spec: { tier: 'Baseline', priority, subject, egress: egress.baseline },
        });
      }
    }
    return { zone, policies, domainRules: egress.domainRules };
  }
}

/** Every pod of the namespaces: the `namespaces` subject; some of them: `pods`. */
function subjectOf(namespaceSelector: KubeLabelSelector, podSelector: KubeLabelSelector): CnpSubject {
  const everyPod = Object.keys(podSelector.matchLabels ?? {}).length === 0 && (podSelector.matchExpressions ?? []).length === 0;
  return everyPod ? { namespaces: namespaceSelector } : { pods: { namespaceSelector, podSelector } };
}
