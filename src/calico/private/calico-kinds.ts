import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_SUBDOMAIN, GLOBAL_NETWORK_POLICY_NAME, NETWORK_POLICY_NAME } from './k8s-names';
import { validateTieredPolicyName } from './policy-name';
import { validateIPPoolSpec } from './validate-ip-pool';
import { validateMetadata } from './validate-metadata';
import { validateNetworkSet } from './validate-network-set';
import { validatePolicySpec } from './validate-policy';
import { validateTierSpec } from './validate-tier';
import { childPath } from '../../model/construct-id';
import type { CalicoApiObjectProps } from '../calico-api-object';
import { CalicoIPPoolSpec } from '../calico-ip-pool-spec';
import { CalicoNetworkSetSpec } from '../calico-network-set-spec';
import { CalicoGlobalNetworkPolicySpec } from '../calico-policy-spec';
import { CalicoTierSpec } from '../calico-tier-spec';
import { prune, renderIPPoolSpec, renderNetworkSetSpec, renderPolicySpec } from '../spec-json';

/** What a typed Calico class is given: its spec and, optionally, metadata. */
interface KindProps<S> {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: S;
}

/** The kind-specific part of a typed Calico class, as data: the checks and the renderer of its spec. */
interface KindDefinition<S> {
  readonly kind: string;
  /** Namespaced kinds need a namespace; cluster-scoped kinds take none. */
  readonly namespaced: boolean;
  /** Names beyond a DNS-1123 subdomain: the pattern, and how an error message says it. */
  readonly name: { readonly pattern: RegExp; readonly rule: string };
  /** Calico's checks of the spec (throws the first problem). */
  readonly check: (spec: S, labels: { [key: string]: string } | undefined, path: string) => void;
  readonly render: (spec: S) => any;
  /** The policy tier, for kinds whose names carry it ("<tier>.<name>"). */
  readonly tierOf?: (spec: S) => string | undefined;
}

/**
 * One typed Calico kind. The six classes (CalicoNetworkPolicy, …) are one line each on top of it: jsii has no
 * generics, so each kind keeps its own class and props type, and everything they share is here.
 */
export class CalicoKind<S> {
  public readonly gvk: GroupVersionKind;

  constructor(private readonly def: KindDefinition<S>) {
    this.gvk = { apiVersion: 'projectcalico.org/v3', kind: def.kind };
  }

  /** Checks the spec as Calico would (before the object exists) and renders it: what CalicoApiObject takes. */
  public objectProps(scope: Construct, id: string, props: KindProps<S>): CalicoApiObjectProps {
    this.def.check(props.spec, props.metadata?.labels, childPath(scope.node.path, id));
    return { gvk: this.gvk, metadata: props.metadata, renderedSpec: this.def.render(props.spec), clusterScoped: !this.def.namespaced };
  }

  /** Calico's metadata checks, on the metadata as cdk8s renders it (generated name, the chart's namespace). */
  public checkMetadata(obj: ApiObject, props: KindProps<S>): void {
    const def = this.def;
    validateMetadata(obj.metadata.toJson(), {
      kind: def.kind,
      namePattern: def.name.pattern,
      nameRule: def.name.rule,
      namespaced: def.namespaced,
      explicitNamespace: props.metadata?.namespace,
    }, obj.node.path);
    if (def.tierOf) validateTieredPolicyName(obj.name, def.tierOf(props.spec), obj.node.path);
  }
}

const SUBDOMAIN_NAME = { pattern: DNS_SUBDOMAIN, rule: 'a DNS-1123 subdomain' };
const TIERED_NAME_RULE = 'a DNS-1123 label, optionally prefixed by "<tier>."';
/** The two policy kinds differ in scope and name pattern; Calico checks their specs with the scope in mind. */
const policyKind = (kind: string, global: boolean, pattern: RegExp) => new CalicoKind<CalicoGlobalNetworkPolicySpec>({
  kind,
  namespaced: !global,
  name: { pattern, rule: TIERED_NAME_RULE },
  tierOf: spec => spec.tier,
  check: (spec, _labels, path) => validatePolicySpec(spec, { global, path }),
  render: renderPolicySpec,
});

export const NETWORK_POLICY = policyKind('NetworkPolicy', false, NETWORK_POLICY_NAME);
export const GLOBAL_NETWORK_POLICY = policyKind('GlobalNetworkPolicy', true, GLOBAL_NETWORK_POLICY_NAME);
/** Calico checks a staged policy as the policy it stages; `stagedAction` is left out: Calico's default, Set. */
export const STAGED_GLOBAL_NETWORK_POLICY = policyKind('StagedGlobalNetworkPolicy', true, GLOBAL_NETWORK_POLICY_NAME);
export const NETWORK_SET = new CalicoKind<CalicoNetworkSetSpec>({
  kind: 'NetworkSet', namespaced: true, name: SUBDOMAIN_NAME, check: validateNetworkSet, render: renderNetworkSetSpec,
});
export const GLOBAL_NETWORK_SET = new CalicoKind<CalicoNetworkSetSpec>({
  kind: 'GlobalNetworkSet', namespaced: false, name: SUBDOMAIN_NAME, check: validateNetworkSet, render: renderNetworkSetSpec,
});
export const IP_POOL = new CalicoKind<CalicoIPPoolSpec>({
  kind: 'IPPool', namespaced: false, name: SUBDOMAIN_NAME, check: (spec, _labels, path) => validateIPPoolSpec(spec, path), render: renderIPPoolSpec,
});
export const TIER = new CalicoKind<CalicoTierSpec>({
  // a tier's name is a DNS label: policies name it before a "." in their own names
  kind: 'Tier',
  namespaced: false,
  name: { pattern: DNS_LABEL, rule: 'a DNS-1123 label' },
  check: (spec, _labels, path) => validateTierSpec(spec, path),
  render: spec => prune({ order: spec.order }) ?? {},
});
