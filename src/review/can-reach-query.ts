// The can-reach question and answer, apart from the evaluation: the in-cluster part of can-reach reads them too.

/** A question: may this workload reach this destination? */
export interface CanReachQuery {
  /** Namespace of the workload. */
  readonly namespace: string;
  /**
   * Labels of the pod.
   * @default - no labels
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Labels of the namespace (besides its name labels, which are always known).
   * @default - only the name labels
   */
  readonly namespaceLabels?: { [key: string]: string };
  /**
   * Destination IP address.
   * @default - none: `domain` names the destination
   */
  readonly ip?: string;
  /**
   * Destination domain name, for zones whose backend matches names (Calico Enterprise, Cilium).
   * @default - none: `ip` names the destination
   */
  readonly domain?: string;
  /** Protocol number (6 TCP, 17 UDP, 1 ICMP, …). */
  readonly protocol: number;
  /**
   * Destination port (or ICMP type).
   * @default - none
   */
  readonly port?: number;
  /**
   * When the destination is a pod: its namespace (then `ip` is the pod's address, or any address).
   * @default - the destination is not known to be a pod
   */
  readonly destinationNamespace?: string;
  /**
   * When the destination is a pod: its labels.
   * @default - no labels
   */
  readonly destinationPodLabels?: { [key: string]: string };
  /**
   * The HTTP request's method, for zones with a mesh (HTTP rules).
   * @default - no request named: the answer says which requests the rules allow
   */
  readonly httpMethod?: string;
  /**
   * The HTTP request's path.
   * @default - no request named
   */
  readonly httpPath?: string;
}

/** One layer's part of a can-reach answer (zones with a mesh). */
export interface CanReachLayerAnswer {
  /** "network" (the network backend) or "mesh" (the mesh backend at its egress point). */
  readonly layer: string;
  /** Whether this layer allows it. */
  readonly allowed: boolean;
  /** Why. */
  readonly reason: string;
}

/** A parsed destination of a can-reach question. */
export interface CanReachDestination {
  /**
   * Destination IP address (canonical).
   * @default - none: a domain name
   */
  readonly ip?: string;
  /**
   * Destination domain name (lower case, no trailing dot).
   * @default - none: an address
   */
  readonly domain?: string;
  /** Protocol number. */
  readonly protocol: number;
  /**
   * Port, or ICMP type.
   * @default - none
   */
  readonly port?: number;
}

/** The answer, with the rule that decided it. */
export interface CanReachAnswer {
  /** Whether the traffic is allowed. */
  readonly allowed: boolean;
  /**
   * The zone that decided.
   * @default - no zone selects the workload
   */
  readonly zone?: string;
  /**
   * The backend whose semantics decided (the zone's).
   * @default - no zone selects the workload
   */
  readonly backend?: string;
  /**
   * The rule that decided: a rule name (the most specific rule that allows the destination, which also
   * decides its exit), "dns", "api-server", "in-cluster", "in-cluster-pass", "in-cluster-deny", "in-cluster-fallthrough",
   * "default-deny-external", "not-in-any-zone".
   */
  readonly rule: string;
  /** Human-readable reason. */
  readonly reason: string;
  /**
   * The destination set that matched.
   * @default - none
   */
  readonly destinationSet?: string;
  /**
   * Descriptions of the matched destination prefix.
   * @default - none
   */
  readonly descriptions?: string[];
  /**
   * The deciding zone is staged: `allowed` is what the zone does once enforced; until then Calico only reports
   * that verdict in its flow logs, and the zone's traffic does not take its gateway.
   * @default false
   */
  readonly staged?: boolean;
  /**
   * Per layer, for a zone with a mesh: the network backend's answer and the mesh's (allowed only when both allow).
   * @default - one layer: the network backend's
   */
  readonly layers?: CanReachLayerAnswer[];
}
