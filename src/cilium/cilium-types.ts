/**
 * The parts of Cilium's policy API (cilium.io/v2) this library emits, typed so that a misspelt field is a
 * compile error rather than an object Cilium ignores. Field names follow the CRDs
 * (pkg/k8s/apis/cilium.io/client/crds/v2); only what the renderers use is modelled.
 */

// CiliumSelectorRequirement and CiliumLabelSelector have the shape of model/selector's internal KubeLabelSelector
// on purpose: these are public jsii structs (keys may carry Cilium's source prefix), that one is the translation's
// internal result, and a public struct cannot extend an internal type.
/** A Kubernetes label selector requirement (key, operator, values). */
export interface CiliumSelectorRequirement {
  /** Label key. */
  readonly key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  readonly operator: string;
  /**
   * Values for In / NotIn.
   * @default - none
   */
  readonly values?: string[];
}

/** A label selector as Cilium reads it (keys may carry a source prefix such as "k8s:"). */
export interface CiliumLabelSelector {
  /**
   * Exact labels.
   * @default - none
   */
  readonly matchLabels?: { [key: string]: string };
  /**
   * Requirements, ANDed with matchLabels.
   * @default - none
   */
  readonly matchExpressions?: CiliumSelectorRequirement[];
}

/** A CIDR with exceptions. */
export interface CiliumCidrRule {
  /** The prefix. */
  readonly cidr: string;
  /**
   * Sub-prefixes the rule does not cover.
   * @default - none
   */
  readonly except?: string[];
}

/** A DNS name or pattern (`*` matches within one label). */
export interface CiliumFqdnSelector {
  /**
   * Exact name.
   * @default - not an exact name
   */
  readonly matchName?: string;
  /**
   * Pattern with `*`.
   * @default - not a pattern
   */
  readonly matchPattern?: string;
}

/** A port (or range) and protocol. */
export interface CiliumPortProtocol {
  /** Port number or name ("0" for every port). */
  readonly port: string;
  /**
   * Last port of a range.
   * @default - a single port
   */
  readonly endPort?: number;
  /** TCP, UDP, SCTP or ANY. */
  readonly protocol: string;
}

/** Layer-7 rules of a port rule (only DNS is used: it turns on Cilium's DNS proxy, which toFQDNs needs). */
export interface CiliumL7Rules {
  /**
   * DNS names the proxy lets through.
   * @default - no DNS rules
   */
  readonly dns?: CiliumFqdnSelector[];
}

/** Ports of a rule, optionally with layer-7 rules. */
export interface CiliumPortRule {
  /** The ports. */
  readonly ports: CiliumPortProtocol[];
  /**
   * Layer-7 rules.
   * @default - none
   */
  readonly rules?: CiliumL7Rules;
}

/** One ICMP type to match. */
export interface CiliumIcmpField {
  /** ICMP type number. */
  readonly type: number;
  /** IPv4 or IPv6. */
  readonly family: string;
}

/** ICMP types of a rule. */
export interface CiliumIcmpRule {
  /** The types. */
  readonly fields: CiliumIcmpField[];
}

/** An egress allow (or deny) rule; Cilium allows one kind of layer-3 peer per rule. */
export interface CiliumEgressRule {
  /**
   * Endpoints (pods) allowed.
   * @default - none
   */
  readonly toEndpoints?: CiliumLabelSelector[];
  /**
   * Entities allowed ("cluster", "world", …).
   * @default - none
   */
  readonly toEntities?: string[];
  /**
   * CIDRs allowed.
   * @default - none
   */
  readonly toCIDRSet?: CiliumCidrRule[];
  /**
   * DNS names allowed (needs a DNS rule with layer-7 DNS rules).
   * @default - none
   */
  readonly toFQDNs?: CiliumFqdnSelector[];
  /**
   * Ports allowed.
   * @default - every port
   */
  readonly toPorts?: CiliumPortRule[];
  /**
   * ICMP types allowed.
   * @default - no ICMP restriction
   */
  readonly icmps?: CiliumIcmpRule[];
}

/** Whether a policy turns on default deny for the endpoints it selects. */
export interface CiliumDefaultDeny {
  /**
   * Egress.
   * @default true when the policy has egress rules
   */
  readonly egress?: boolean;
  /**
   * Ingress.
   * @default true when the policy has ingress rules
   */
  readonly ingress?: boolean;
}

/** One policy rule set (a CiliumNetworkPolicy `spec` or an entry of `specs`). */
export interface CiliumPolicySpec {
  /** Endpoints the rules apply to. */
  readonly endpointSelector: CiliumLabelSelector;
  /**
   * Free text.
   * @default - none
   */
  readonly description?: string;
  /**
   * Egress allow rules.
   * @default - none
   */
  readonly egress?: CiliumEgressRule[];
  /**
   * Egress deny rules (take precedence over every allow).
   * @default - none
   */
  readonly egressDeny?: CiliumEgressRule[];
  /**
   * Default-deny behaviour.
   * @default - Cilium's default
   */
  readonly enableDefaultDeny?: CiliumDefaultDeny;
}
