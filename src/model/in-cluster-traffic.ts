/**
 * What a zone does with traffic that stays in the cluster (pods, Services, nodes), and the cluster facts that
 * traffic depends on. A file of its own: the zone model, every backend and can-reach read it.
 */

/** What a zone does with traffic to in-cluster destinations: pods, Service ranges and node addresses. */
export enum InClusterTraffic {
  /** The zone allows it (every pod, every Service address, every node address). */
  ALLOW = 'allow',
  /**
   * The zone does not decide: later policies do. Calico: a tiered zone ends in-cluster traffic with `Pass`, so
   * the next tier decides (the default tier's NetworkPolicies; allowed when none selects the pod). A zone in
   * the default tier has no tier to pass to: later policies of the default tier decide, and Calico's end of
   * tier denies what none allows. Kubernetes and Cilium have no Pass: the other policies selecting the pod
   * decide (they add up), and what none allows is denied.
   */
  PASS = 'pass',
  /** The zone denies it (DNS, the API server when allowed, and what earlier policies allow still pass). Calico and Calico Enterprise only. */
  DENY = 'deny',
}

/**
 * The Kubernetes API server as pods reach it. Pods ask for the `kubernetes` Service (its first Service address,
 * port 443); kube-proxy translates that to the API server's own addresses and port before Calico (and NetworkPolicy
 * implementations) see the packet, so a policy must allow those, which are usually node addresses.
 */
export interface ApiServerModel {
  /** The API server's addresses after kube-proxy's translation (the `kubernetes` Service's endpoints), canonical CIDRs. */
  readonly cidrs: string[];
  /** The API server's port after translation (6443 for kubeadm clusters). */
  readonly port: number;
  /**
   * The `kubernetes` Service's address (the first address of the first Service range).
   * @default - unknown (no Service range declared)
   */
  readonly serviceAddress?: string;
}

/** How an in-cluster choice reads: the zone model's field, or (documents written before it) `allowInCluster`. */
export function inClusterOf(zone: { readonly inCluster?: string; readonly allowInCluster?: boolean }): InClusterTraffic {
  if (zone.inCluster !== undefined) return zone.inCluster as InClusterTraffic;
  return zone.allowInCluster ? InClusterTraffic.ALLOW : InClusterTraffic.PASS;
}

/** The ranges a zone treats as in-cluster: pod and Service ranges, pools, and node addresses. */
export function inClusterRanges(doc: { readonly clusterCidrs: string[]; readonly nodeCidrs: string[] }): string[] {
  return [...doc.clusterCidrs, ...doc.nodeCidrs];
}
