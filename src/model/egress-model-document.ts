/**
 * The backend-neutral egress model: who may reach what, on which ports, leaving through which NAT.
 *
 * Constructs fill it; every emitter (Calico/Cilium/Kubernetes backends, firewall exporters, the data-path
 * configuration, reviewers' views) reads only this. It is plain, JSON-serialisable data so that it can be
 * written next to the manifests and read back by tools (can-reach, posture diff) without running the app.
 * Nothing Calico-specific belongs here: selectors are label selectors in Calico's grammar because that is
 * the most expressive common denominator, and each backend translates or rejects what it cannot express.
 */
import { HttpMatchModel } from './http-match';
import { ApiServerModel } from './in-cluster-traffic';
import { MeshModel } from './mesh-model';
import { PortModel } from './port';
import { ZoneMembersModel } from './zone-members-model';
export * from './zone-members-model'; // who a zone selects: re-exported where the model's readers import it

/** How a zone's traffic leaves the cluster, i.e. which source address the outside world sees. */
export enum EgressExitMode {
  /** Source NAT to the node's address (Calico `natOutgoing: true`); the firewall sees node addresses. */
  NAT_OUTGOING = 'nat-outgoing',
  /** No NAT: pods keep their address from a routable pool; the firewall sees the pool's range. */
  POD_ADDRESS = 'pod-address',
  /** Through an egress gateway that SNATs to its fixed egress IPs. */
  GATEWAY = 'gateway',
  /** Node-level SNAT to one declared address (a NAT pool's `snatAddress`). */
  NODE_SNAT = 'node-snat',
}

/** Where a zone's DNS queries may go. */
export interface DnsModel {
  /** Whether DNS is allowed at all. */
  readonly enabled: boolean;
  /** Namespace of the cluster DNS pods. */
  readonly namespace: string;
  /** Pod selector of the cluster DNS pods (canonical Calico selector). */
  readonly podSelector: string;
  /** Ports DNS is allowed on, never empty (all traffic is one port without a protocol). */
  readonly ports: PortModel[];
  /** Extra DNS server addresses (e.g. NodeLocal DNSCache 169.254.20.10/32). */
  readonly cidrs: string[];
}

/** One destination address, aggregated, with the descriptions of every declared entry it covers. */
export interface DestinationCidrModel {
  /** Canonical CIDR. */
  readonly cidr: string;
  /** 4 or 6. */
  readonly ipVersion: number;
  /** Descriptions of the declared entries this prefix covers (sorted, de-duplicated). */
  readonly descriptions: string[];
}

/** A named set of external destinations, shared by any number of rules and zones. */
export interface DestinationSetModel {
  /** Unique name (DNS label); also the name of the backend object it becomes. */
  readonly name: string;
  /** Construct path that declared it. */
  readonly path: string;
  /**
   * What the set is.
   * @default - no description
   */
  readonly description?: string;
  /** Addresses, aggregated per family, IPv4 first. */
  readonly cidrs: DestinationCidrModel[];
  /** Domain names (exact, or `*.` wildcards), for backends that match on names. */
  readonly domains: string[];
  /** Extra labels the user put on the set. */
  readonly labels: { [key: string]: string };
  /**
   * Namespace of the set when it is namespaced.
   * @default - cluster-wide
   */
  readonly namespace?: string;
  /**
   * True when the set holds the inline addresses of one AllowExternal rather than a shared DestinationSet:
   * backends may then write its addresses into the rule itself instead of a separate object.
   * @default false
   */
  readonly inline?: boolean;
}

/** One allow rule of a zone. */
export interface EgressRuleModel {
  /** Unique name within the zone. */
  readonly name: string;
  /** Construct path that declared it. */
  readonly path: string;
  /**
   * What the rule is for.
   * @default - no description
   */
  readonly description?: string;
  /** Names of the destination sets the rule allows. */
  readonly destinationSets: string[];
  /** Ports allowed; empty means all traffic. */
  readonly ports: PortModel[];
  /**
   * Gateway this rule's traffic leaves through, overriding the zone's.
   * @default - the zone's exit
   */
  readonly gateway?: string;
  /** True when this rule's destinations must not go through any gateway. */
  readonly bypassGateway: boolean;
  /** The rule's layer-7 part (HTTP methods, paths, hosts; TLS server names), which only a mesh enforces. @default - layer 4 only */
  readonly http?: HttpMatchModel;
}

/** How a zone leaves the cluster. */
export interface ZoneExitModel {
  /** The exit mode. */
  readonly mode: EgressExitMode;
  /** Names of the NAT pools the zone's pods take addresses from. */
  readonly natPools: string[];
  /**
   * Name of the gateway, when mode is GATEWAY.
   * @default - no gateway
   */
  readonly gateway?: string;
  /** Whether the zone may fall back to leaving directly when no gateway is ready. */
  readonly failOpen: boolean;
}

/** A set of workloads that share one egress posture. */
export interface EgressZoneModel {
  /** Unique name (DNS label). */
  readonly name: string;
  /** Construct path. */
  readonly path: string;
  /** Backend that renders this zone ("calico", "calico-enterprise", "cilium", "kubernetes"). */
  readonly backend: string;
  /** What the zone is. @default - no description */
  readonly description?: string;
  /** Who the zone selects. */
  readonly members: ZoneMembersModel;
  /** DNS allowance. */
  readonly dns: DnsModel;
  /** What the zone does with traffic to pods, Service ranges and node addresses ("allow", "pass" or "deny"). */
  readonly inCluster: string;
  /**
   * Whether the zone allows the Kubernetes API server (the document's `apiServer`).
   * @default false
   */
  readonly allowApiServer?: boolean;
  /** Allow rules, in declaration order. */
  readonly rules: EgressRuleModel[];
  /** How the zone's traffic leaves. */
  readonly exit: ZoneExitModel;
  /** Policy order within the tier (lower applies first). */
  readonly order: number;
  /** Policy tier (backends without tiers ignore it). */
  readonly tier: string;
  /** Order of the tier among Calico's tiers (lower first), for a zone outside the default tier. @default - 100 */
  readonly tierOrder?: number;
  /** The zone is staged: its policies are evaluated and reported, not enforced, and its traffic is not steered. @default false */
  readonly staged?: boolean;
  /**
   * The mesh layer composed with the zone's network backend: it enforces the rules' layer-7 part at its egress point.
   * @default - no mesh
   */
  readonly mesh?: MeshModel;
}

/** Calico-style encapsulation of a pool. */
export enum PoolEncapsulation {
  /** No encapsulation. */
  NONE = 'None',
  /** VXLAN always. */
  VXLAN = 'VXLAN',
  /** VXLAN only across subnets. */
  VXLAN_CROSS_SUBNET = 'VXLANCrossSubnet',
  /** IP-in-IP always. */
  IPIP = 'IPIP',
  /** IP-in-IP only across subnets. */
  IPIP_CROSS_SUBNET = 'IPIPCrossSubnet',
}

/** How namespaces are tied to a pool. */
export enum NamespaceAssignment {
  /** The pool's `namespaceSelector` (Calico 3.2x+): the pool serves only those namespaces. */
  NAMESPACE_SELECTOR = 'NamespaceSelector',
  /** The `cni.projectcalico.org/ipv4pools` (or ipv6pools) annotation on each Namespace, which the library emits. */
  NAMESPACE_ANNOTATION = 'NamespaceAnnotation',
}

/** A pod address pool. */
export interface NatPoolModel {
  /** Unique name (DNS subdomain). */
  readonly name: string;
  /** Construct path. */
  readonly path: string;
  /** Canonical CIDR. */
  readonly cidr: string;
  /** 4 or 6. */
  readonly ipVersion: number;
  /** Whether traffic leaving the cluster is source-NATed to the node address. */
  readonly natOutgoing: boolean;
  /** Allocation block prefix length. */
  readonly blockSize: number;
  /** Node selector (canonical Calico selector). */
  readonly nodeSelector: string;
  /** Namespaces whose pods take addresses from this pool. */
  readonly namespaces: string[];
  /** Destinations that must see the pod address even though the pool NATs (no-NAT exceptions). */
  readonly noNatDestinations: string[];
  /**
   * Node-level SNAT address for traffic from this pool, instead of the node's own address.
   * @default - the node address (or no NAT)
   */
  readonly snatAddress?: string;
  /** Encapsulation between nodes. */
  readonly encapsulation: PoolEncapsulation;
  /**
   * Node address ranges the firewall sees when the pool NATs to node addresses.
   * @default - unknown
   */
  readonly nodeCidrs: string[];
  /** How namespaces are tied to the pool. */
  readonly assignment: NamespaceAssignment;
}

/** An egress gateway. */
export interface EgressGatewayModel {
  /** Unique name (DNS label). */
  readonly name: string;
  /** Construct path. */
  readonly path: string;
  /** Namespace the gateway runs in. */
  readonly namespace: string;
  /** The pool the egress IPs come from (canonical CIDR). */
  readonly egressCidr: string;
  /** Egress addresses the outside world sees (one per replica). */
  readonly egressIps: string[];
  /** Number of replicas. */
  readonly replicas: number;
  /**
   * Which data path runs the gateway: "cdk8s-egress" (this library's gateway agent) or
   * "calico-enterprise" (Calico Enterprise's own EgressGateway). Backends that cannot use it say so.
   * @default "cdk8s-egress"
   */
  readonly implementation?: string;
  /**
   * Nodes the gateway runs on (canonical Calico selector over node labels); Cilium's node-based
   * gateway needs it.
   * @default - any node
   */
  readonly nodeSelector?: string;
  /**
   * Upstream health probes: a gateway whose probes all fail reports not ready.
   * @default - no probes
   */
  readonly probes?: GatewayProbesModel;
}

/** Upstream health probes of a gateway. */
export interface GatewayProbesModel {
  /** Addresses probed with ICMP echo; empty for none. */
  readonly icmpTargets: string[];
  /** Seconds between ICMP probes. */
  readonly icmpIntervalSeconds: number;
  /** Seconds without an ICMP answer before the probe fails. */
  readonly icmpTimeoutSeconds: number;
  /** URLs probed with HTTP GET; empty for none. */
  readonly httpUrls: string[];
  /** Seconds between HTTP probes. */
  readonly httpIntervalSeconds: number;
  /** Seconds without an HTTP answer before the probe fails. */
  readonly httpTimeoutSeconds: number;
}

/** The whole estate's egress posture. */
export interface EgressModelDocument {
  /** Model version (EgressModel.VERSION). */
  readonly version: number;
  /** In-cluster address ranges (pods, services) that are never "external". */
  readonly clusterCidrs: string[];
  /** Node address ranges (what the outside sees under NAT outgoing; in-cluster for zones); empty when not declared. */
  readonly nodeCidrs: string[];
  /**
   * The Kubernetes API server, as pods reach it.
   * @default - not declared
   */
  readonly apiServer?: ApiServerModel;
  /**
   * The cluster DNS Service's address (what pods' resolv.conf names).
   * @default - not declared
   */
  readonly dnsServiceAddress?: string;
  /** Zones, sorted by name. */
  readonly zones: EgressZoneModel[];
  /** Destination sets, sorted by name. */
  readonly destinationSets: DestinationSetModel[];
  /** NAT pools, sorted by name. */
  readonly natPools: NatPoolModel[];
  /** Egress gateways, sorted by name. */
  readonly gateways: EgressGatewayModel[];
}
