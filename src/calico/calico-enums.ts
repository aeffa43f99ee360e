// Repeated shape left on purpose: jsii enums are lists of documented string members, one enum per Calico field,
// so they look alike here and beside the model's enums (egress-model-document.ts); there is nothing to share.

/** What a Calico rule does with a packet it matches (`Rule.action`). */
export enum CalicoAction {
  /** Accept the packet. */
  ALLOW = 'Allow',
  /** Drop the packet. */
  DENY = 'Deny',
  /** Log the packet and go on to the next rule. */
  LOG = 'Log',
  /** Skip the rest of this tier: go on to the next tier's policies. */
  PASS = 'Pass',
}

/** Direction a Calico policy applies to (`spec.types`). */
export enum CalicoPolicyType {
  /** Traffic arriving at the selected endpoints. */
  INGRESS = 'Ingress',
  /** Traffic leaving the selected endpoints. */
  EGRESS = 'Egress',
}

/** Performance hints of a Calico policy (`spec.performanceHints`). */
export enum CalicoPerformanceHint {
  /** Felix preloads the policy on every node, as if a local endpoint matched it. */
  ASSUME_NEEDED_ON_EVERY_NODE = 'AssumeNeededOnEveryNode',
}

/** IPIP or VXLAN encapsulation mode of an IPPool (`spec.ipipMode`, `spec.vxlanMode`). */
export enum CalicoEncapsulationMode {
  /** No encapsulation. */
  NEVER = 'Never',
  /** Encapsulate all traffic between nodes. */
  ALWAYS = 'Always',
  /** Encapsulate only traffic crossing a subnet boundary. */
  CROSS_SUBNET = 'CrossSubnet',
}

/** What an IPPool's addresses may be used for (`spec.allowedUses`). */
export enum CalicoIPPoolAllowedUse {
  /** Pod (workload) addresses. */
  WORKLOAD = 'Workload',
  /** Tunnel addresses of nodes (IPIP, VXLAN, WireGuard). */
  TUNNEL = 'Tunnel',
  /** LoadBalancer Service addresses (Calico's load balancer IPAM). */
  LOAD_BALANCER = 'LoadBalancer',
}

/** How Calico IPAM hands out an IPPool's addresses (`spec.assignmentMode`). */
export enum CalicoAssignmentMode {
  /** Any workload matching the pool's selectors may get an address. */
  AUTOMATIC = 'Automatic',
  /** Only workloads that ask for this pool by name get addresses. */
  MANUAL = 'Manual',
}
