/**
 * Whether a zone's policies are enforced or only staged. A file of its own: the zone, the cluster-wide default,
 * the backends, the data path and can-reach all read it.
 */

/** Whether a zone's policies act on traffic, or are only evaluated and reported (a rollout's first step). */
export enum Enforcement {
  /** The zone's policies act on traffic: what they do not allow is denied. */
  ENFORCED = 'enforced',
  /**
   * The zone's policies are staged: Calico evaluates them and reports in its flow logs what they would have
   * done, without acting on traffic (StagedGlobalNetworkPolicy instead of GlobalNetworkPolicy, same spec).
   * A staged zone's traffic stays off its gateway until the zone is enforced. Calico and Calico Enterprise
   * only: Cilium's and Kubernetes' policies have no staged kind (see docs/rolling-out.md).
   */
  STAGED = 'staged',
}
