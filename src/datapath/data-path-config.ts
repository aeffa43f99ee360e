/**
 * The data-path configuration contract: the versioned JSON document the library writes into the
 * egress ConfigMap and both agents (egress-gateway, egress-nat) read.
 *
 * Version 1 is IPv4 only. Version 2 adds IPv6: cluster ranges, allow entries, noGateway ranges and egress IPs of
 * either family (a zone's IPv6 traffic goes through its gateway when the gateway has an IPv6 egress IP; the tunnels
 * stay on the IPv4 underlay; node-level SNAT pools stay IPv4). The library writes version 2 only when a gateway has
 * an IPv6 egress range, so IPv4-only estates keep the version every agent reads. Version 3 adds `zones[].domainRules`:
 * domain rules through a gateway (gateway-domain-config.ts); written only when a zone has one, so agents that cannot
 * enforce them refuse the document at `$.version` (and keep their last good rules) instead of dropping the traffic.
 * Version 4 adds `observe`, the staged zones' address observer (address-observer-config.ts), written only when asked.
 * Version 5 adds `domains.proxy6`, domain rules for zone pods' IPv6 addresses (domain-ipv6-config.ts), written only
 * when a domain zone's pods may have IPv6 addresses.
 * Every field is explicit: the library resolves defaults at synth time (see DATA_PATH_DEFAULTS) so
 * the agents never guess. Kept free of runtime dependencies: it is compiled into the jsii library.
 */
import { AddressObserverConfig } from './address-observer-config';
import { DomainEnforcementConfig } from './domain-config';
import { GatewayDomainRuleConfig } from './gateway-domain-config';

export const DATA_PATH_CONFIG_VERSION = 5;

export interface DataPathConfig {
  readonly version: 1 | 2 | 3 | 4 | 5;
  /** Ranges that are never steered to a gateway nor SNATed by a NAT pool. */
  readonly cluster: ClusterRangesConfig;
  readonly zones: ZoneConfig[];
  readonly gateways: GatewayConfig[];
  readonly natPools: NatPoolConfig[];
  /** Node-side kernel resources the egress-nat agent owns. */
  readonly node: NodeDataPathConfig;
  /** Domain rules the node agent enforces with its DNS proxy (optional: absent when no zone has any). */
  readonly domains?: DomainEnforcementConfig;
  /** Staged zones whose external destinations the node agent records (optional: absent unless the app opts in). */
  readonly observe?: AddressObserverConfig;
}

export interface ClusterRangesConfig {
  readonly podCidrs: string[];
  readonly serviceCidrs: string[];
  /** Node (host) addresses: traffic to them stays in the cluster too. */
  readonly nodeCidrs: string[];
}

export type AllowProtocol = 'tcp' | 'udp' | 'icmp' | 'any';

export interface AllowEntryConfig {
  readonly cidr: string;
  readonly protocol: AllowProtocol;
  /** "443" or "8000-8080"; empty means every port (and is required for icmp/any). */
  readonly ports: string[];
  readonly description?: string;
}

export interface ZoneMembersConfig {
  /** Namespaces whose pods may be members; empty means every namespace. */
  readonly namespaces: string[];
  /** Kubernetes label equality selector (the adapter matches pod labels against it). */
  readonly matchLabels: { readonly [key: string]: string };
}

export interface ZoneConfig {
  readonly name: string;
  /** Small stable number (1..63): the zone's packet mark and routing table offset. */
  readonly id: number;
  readonly members: ZoneMembersConfig;
  /** The gateway this zone leaves through; absent means the zone is not steered. */
  readonly gateway?: string;
  /** VXLAN network identifier of this zone's tunnel (unique per gateway port). Required with gateway. */
  readonly vni?: number;
  /** With no ready gateway replica, let traffic leave directly instead of dropping it. */
  readonly failOpen: boolean;
  /** What the gateway lets through for this zone; everything else is dropped and counted. */
  readonly allow: AllowEntryConfig[];
  /** External destinations this zone reaches without the gateway (e.g. a peered network). */
  readonly noGateway: string[];
  /**
   * Version 3: the zone's domain rules through its gateway. The gateway admits their ports to every external address
   * of the zone's tunnel traffic; the source node's learned-address gate admitted only looked-up addresses.
   */
  readonly domainRules?: GatewayDomainRuleConfig[];
}

export interface GatewayProbeConfig {
  /** Interval between readiness probes of each replica, by every node agent. */
  readonly intervalMs: number;
  /** A probe without an answer after this long counts as a failure. */
  readonly timeoutMs: number;
  /** Consecutive failures after which a replica is removed. */
  readonly failureThreshold: number;
}

export interface GatewayConfig {
  readonly name: string;
  /** Kubernetes Service whose EndpointSlices list the replicas (adapter mode only). */
  readonly service: { readonly namespace: string; readonly name: string };
  /** Source addresses traffic leaves with; each replica SNATs to the one(s) it holds. */
  readonly egressIps: string[];
  /** UDP port of the VXLAN tunnels (node to gateway). */
  readonly vxlanPort: number;
  /** Port of the gateway's /healthz, /readyz and /metrics. */
  readonly healthPort: number;
  readonly probe: GatewayProbeConfig;
  /** How long a terminating replica keeps its established flows. */
  readonly drainGraceSeconds: number;
}

export interface NatPoolConfig {
  readonly name: string;
  readonly cidr: string;
  /** Node-level SNAT address for this pool's external traffic; absent means the node does nothing. */
  readonly snatAddress?: string;
  readonly noNatCidrs: string[];
}

export interface NodeDataPathConfig {
  /** Packet-mark bits the node agent owns (at least 8 bits, not necessarily contiguous). */
  readonly markMask: number;
  /** Routing tables tableBase+zone.id and tableBase+256+slot are owned by the agent. */
  readonly routeTableBase: number;
  /** Priority of the agent's `ip rule`s (before main at 32766). */
  readonly rulePriority: number;
  /** Nexthop ids from this base on (base .. base+65535) are owned by the agent. */
  readonly nexthopIdBase: number;
  /** Buckets in each zone's resilient nexthop group. */
  readonly buckets: number;
}

/** What the library writes when the user says nothing. */
export const DATA_PATH_DEFAULTS = {
  // Not Felix's VXLANPort (4789): Felix drops UDP to it from every workload (felix/rules/endpoints.go, unless
  // AllowVXLANPacketsFromWorkloads), and the replies' tunnels leave the gateway pods. Calico Enterprise's egress port.
  vxlanPort: 4790,
  healthPort: 9440,
  // Dead after 75 ms without an answer or a reply (issue 22: the replicas' replies through the tunnel count as proof of
  // life, src/agent/node/reply-liveness.ts, so answers queued behind bulk traffic no longer fake a death).
  probe: { intervalMs: 25, timeoutMs: 25, failureThreshold: 3 } as GatewayProbeConfig,
  drainGraceSeconds: 30,
  node: {
    // Bits nobody else on a Calico node takes: Felix allocates only inside its nftablesMarkMask/iptablesMarkMask
    // (default 0xffff0000: felix/dataplane/driver.go, markBitsManager), kube-proxy and the kubelet use 0x4000 and
    // 0x8000, the AWS VPC CNI 0x80. 13 bits: zones 1..63 and 8128 pins.
    markMask: 0x00003f7f,
    routeTableBase: 0x6567_0000,
    rulePriority: 1000,
    nexthopIdBase: 0x6567_0000,
    buckets: 128,
  } as NodeDataPathConfig,
};
