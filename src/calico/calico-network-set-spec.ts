/** Spec of a Calico NetworkSet (projectcalico.org/v3). */
export interface CalicoNetworkSetSpec {
  /**
   * CIDRs (or bare IPs) in the set; IPv4 and IPv6 may be mixed.
   * @default an empty set
   */
  readonly nets?: string[];
}

/** Spec of a Calico GlobalNetworkSet (projectcalico.org/v3). */
export interface CalicoGlobalNetworkSetSpec {
  /**
   * CIDRs (or bare IPs) in the set; IPv4 and IPv6 may be mixed.
   * @default an empty set
   */
  readonly nets?: string[];
}
