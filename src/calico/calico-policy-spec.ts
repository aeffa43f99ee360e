import { CalicoPolicyType } from './calico-enums';
import { CalicoRule } from './calico-rule';

/** Spec of a Calico NetworkPolicy (projectcalico.org/v3), field names as in the API. */
export interface CalicoNetworkPolicySpec {
  /**
   * Order within the tier; lower orders apply first. Any finite number.
   * @default applied after every policy with an order ("infinite")
   */
  readonly order?: number;
  /**
   * Tier of the policy (must exist in the cluster). A policy outside the default tier must be named `<tier>.<name>`.
   * @default the "default" tier
   */
  readonly tier?: string;
  /**
   * Selector of the endpoints the policy applies to.
   * @default all endpoints (of the namespace, for NetworkPolicy)
   */
  readonly selector?: string;
  /**
   * Directions the policy applies to, each at most once.
   * @default Calico derives them from the rules present (Ingress, Egress, or both)
   */
  readonly types?: CalicoPolicyType[];
  /**
   * Ingress rules, in order.
   * @default none
   */
  readonly ingress?: CalicoRule[];
  /**
   * Egress rules, in order.
   * @default none
   */
  readonly egress?: CalicoRule[];
  /**
   * Selector over the service accounts of the endpoints the policy applies to.
   * @default any service account
   */
  readonly serviceAccountSelector?: string;
  /**
   * Hints to Calico's policy engine (only "AssumeNeededOnEveryNode", see CalicoPerformanceHint).
   * @default none
   */
  readonly performanceHints?: string[];
}

/** Spec of a Calico GlobalNetworkPolicy (projectcalico.org/v3), field names as in the API. */
export interface CalicoGlobalNetworkPolicySpec extends CalicoNetworkPolicySpec {
  /**
   * Selector over namespaces of the endpoints the policy applies to.
   * @default all namespaces, and non-namespaced endpoints
   */
  readonly namespaceSelector?: string;
  /**
   * Apply the policy before connection tracking (untracked policy); requires applyOnForward.
   * @default false
   */
  readonly doNotTrack?: boolean;
  /**
   * Apply the policy before DNAT (ingress only); requires applyOnForward.
   * @default false
   */
  readonly preDNAT?: boolean;
  /**
   * Also apply the policy to forwarded traffic of host endpoints.
   * @default false
   */
  readonly applyOnForward?: boolean;
}
