/**
 * The label and annotation keys this library writes: part of its public contract (users select on them,
 * reviewers grep for them, the agents read some), so each is spelled once, here.
 */

/** Label on every object rendered for a zone: the zone's name. */
export const ZONE_LABEL = 'egress.cdk8s.io/zone';
/** Label on the gateway's objects and pods: the gateway's name (the gateway's policy selects on it). */
export const GATEWAY_LABEL = 'egress.cdk8s.io/gateway';
/** Label on a rendered (Global)NetworkSet: the destination set's name. */
export const DESTINATION_SET_LABEL = 'egress.cdk8s.io/destination-set';
/** Annotation on a rendered rule: the rule's name (or the name of a rule the library adds). */
export const RULE_ANNOTATION = 'egress.cdk8s.io/rule';
/** Annotation on a rendered object or rule: the user's description. */
export const DESCRIPTION_ANNOTATION = 'egress.cdk8s.io/description';

/** Kubernetes' recommended labels, as the library sets them on its workloads. */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const PART_OF = 'cdk8s-egress';
/** The labels of the gateway objects that belong to no one gateway (a fresh object: cdk8s may add to it). */
export function gatewayAppLabels(): { [key: string]: string } {
  return { [APP_NAME_LABEL]: 'egress-gateway', [PART_OF_LABEL]: PART_OF };
}
/** The labels of a cdk8s-egress gateway's objects and pods (synth checks no zone selects those pods). */
export function gatewayLabels(gatewayName: string): { [key: string]: string } {
  return { ...gatewayAppLabels(), [GATEWAY_LABEL]: gatewayName };
}
/** The label Kubernetes puts on every Namespace: its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** The label Calico gives every Namespace in its selectors: its name. */
export const CALICO_NAMESPACE_NAME_LABEL = 'projectcalico.org/name';
/** The label Calico gives every workload endpoint and network set: its namespace's name. */
export const CALICO_ENDPOINT_NAMESPACE_LABEL = 'projectcalico.org/namespace';

/** Calico IPAM: the pools a pod (or every pod of a Namespace) draws its address from. */
export const CALICO_IPV4_POOLS_ANNOTATION = 'cni.projectcalico.org/ipv4pools';
export const CALICO_IPV6_POOLS_ANNOTATION = 'cni.projectcalico.org/ipv6pools';

/** Calico Enterprise: the EgressGatewayPolicy a Namespace's pods leave through. */
export const EGRESS_GATEWAY_POLICY_ANNOTATION = 'egress.projectcalico.org/egressGatewayPolicy';

/** The annotations of a rendered rule: its name, and its description when it has one. */
export function ruleAnnotations(rule: string, description?: string): { [key: string]: string } {
  return description ? { [RULE_ANNOTATION]: rule, [DESCRIPTION_ANNOTATION]: description } : { [RULE_ANNOTATION]: rule };
}

/** The annotations of a rendered object with an optional description (undefined: none). */
export function descriptionAnnotations(description?: string): { [key: string]: string } | undefined {
  return description ? { [DESCRIPTION_ANNOTATION]: description } : undefined;
}
