/**
 * What the node agent believes about one gateway replica, from its own probes merged with the
 * cluster's endpoint conditions:
 * - ready: takes new flows (member of the zone's resilient nexthop group) and keeps its pinned ones;
 * - draining: alive but terminating: keeps the flows pinned to it, takes no new ones;
 * - dead: gone; its flows move to the survivors.
 */
export type ReplicaHealth = 'ready' | 'draining' | 'dead';

export interface ReplicaView {
  readonly gateway: string;
  readonly ip: string;
  /** IPv4: decided by the IPv4 data-path probe. */
  readonly health: ReplicaHealth;
  /** IPv6, for gateways with IPv6 egress IPs: decided by the IPv6 probe (replica-prober-ipv6.ts), the same way. */
  readonly healthV6?: ReplicaHealth;
}
