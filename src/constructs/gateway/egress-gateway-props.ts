import * as kplus from 'cdk8s-plus-28';
import { EgressNodeAgentOptions } from './egress-node-agent';
import { SysctlMethod } from './sysctl-method';

/**
 * How fast nodes notice a dead gateway replica: each node sends every replica a data-path probe through the tunnel
 * (it is forwarded and SNATed like a zone's packet) and declares the replica dead after (failureThreshold - 1) x
 * probeIntervalMs + probeTimeoutMs without an answer, counting only probes that actually left the node. A replica whose
 * replies keep arriving at the node through its tunnel is forwarding: that counts as an answer (answers queued behind
 * bulk traffic are late, not missing).
 */
export interface GatewayFailureDetection {
  /**
   * Milliseconds between probes of each replica, from every node.
   * @default 25
   */
  readonly probeIntervalMs?: number;
  /**
   * Milliseconds after which an unanswered probe counts as failed.
   * @default 25
   */
  readonly probeTimeoutMs?: number;
  /**
   * Consecutive failed probes after which a replica's flows move to the others.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** Metrics and dashboards of the gateway. */
export interface GatewayMonitoring {
  /**
   * Emit Prometheus-operator objects (monitoring.coreos.com/v1): a ServiceMonitor for the gateway's /metrics and a
   * PodMonitor for the node agents' (the dashboard reads both).
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * Emit a Grafana dashboard as a ConfigMap labelled `grafana_dashboard: "1"` (Grafana's sidecar picks it up).
   * @default false
   */
  readonly grafanaDashboard?: boolean;
  /**
   * Namespaces whose pods may scrape the metrics port (the gateway's Calico policy admits nothing else).
   * @default - only the nodes (a Prometheus on the host network)
   */
  readonly scraperNamespaces?: string[];
}

/** Properties of an egress gateway. */
export interface EgressGatewayProps {
  /**
   * Name (DNS label, unique among the app's gateways); names the Deployment, Service and IPPool.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /** Namespace the gateway pods run in. */
  readonly namespace: string;
  /**
   * The IPv4 egress range (at most 256 addresses): the gateway pods take their IPv4 addresses from it and IPv4
   * traffic leaves with them, so the outside world sees only this range. At most one of `egressCidr` and
   * `egressIps`; a gateway needs an IPv4 range, an IPv6 range (`ipv6EgressCidr`/`ipv6EgressIps`), or both.
   * @default - `egressIps`, or no IPv4 egress (an IPv6-only gateway)
   */
  readonly egressCidr?: string;
  /**
   * The IPv4 egress addresses, when they are not one range: each aggregated prefix becomes a pool.
   * @default - `egressCidr`
   */
  readonly egressIps?: string[];
  /**
   * The IPv6 egress range (at most 256 addresses, e.g. a /120): the gateway pods also take an IPv6 address from it
   * (Calico's `ipv6pools` annotation) and the zones' IPv6 traffic leaves with it. Beside `egressCidr`, dual-stack
   * zones send each family through its own egress addresses; alone, the gateway is IPv6-only. At most one of
   * `ipv6EgressCidr` and `ipv6EgressIps`. The tunnels from the nodes stay IPv4 (docs/egress-gateway.md).
   * @default - `ipv6EgressIps`, or no IPv6 egress (IPv6 destinations cannot go through the gateway)
   */
  readonly ipv6EgressCidr?: string;
  /**
   * The IPv6 egress addresses, when they are not one range: each aggregated prefix becomes a pool.
   * @default - `ipv6EgressCidr`
   */
  readonly ipv6EgressIps?: string[];
  /**
   * Gateway replicas, each on its own node; at most the egress range's addresses.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Allocation block size of the IPv4 egress pool(s) (20-32).
   * @default - one block per replica plus one for rolling updates, as large as the range allows
   */
  readonly blockSize?: number;
  /**
   * Allocation block size of the IPv6 egress pool(s) (116-128).
   * @default - one block per replica plus one for rolling updates, as large as the range allows
   */
  readonly ipv6BlockSize?: number;
  /**
   * Complete image reference of the gateway, overriding registry and tag.
   * @default - `<registry>/egress-gateway:<library version>`
   */
  readonly image?: string;
  /**
   * Registry (and path) of the bundled images, for mirrors.
   * @default "ghcr.io/cdk8s-egress"
   */
  readonly registry?: string;
  /**
   * Tag of the bundled images.
   * @default - the version of this library
   */
  readonly imageTag?: string;
  /**
   * Names of image pull secrets (in the gateway's namespace and the node agent's).
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Node labels the gateway pods require (e.g. dedicated egress nodes).
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Taints the gateway pods tolerate (e.g. the taint that keeps other workloads off egress nodes).
   * @default - none
   */
  readonly tolerations?: kplus.NodeTaintQuery[];
  /**
   * How nodes detect a failed replica.
   * @default - 50 ms interval, 50 ms timeout, 3 failures (dead after about 150 ms without an answer; 20 probes/s per node and replica)
   */
  readonly failureDetection?: GatewayFailureDetection;
  /**
   * Seconds a terminating replica keeps its established flows; the pod's termination grace period is
   * this plus 5 s.
   * @default 30
   */
  readonly drainGraceSeconds?: number;
  /**
   * UDP port of the node-to-gateway VXLAN tunnels. Not Calico's VXLAN port (4789 unless Felix's vxlanPort says
   * otherwise): Felix drops every packet to that port leaving a workload, and the replies leave the gateway pods so.
   * 4790 is also what Calico Enterprise's egress gateways use.
   * @default 4790
   */
  readonly vxlanPort?: number;
  /**
   * Port of the gateway's /healthz, /readyz and /metrics.
   * @default 9440
   */
  readonly healthPort?: number;
  /**
   * Compute resources of a gateway replica.
   * @default 100m CPU and 128 MiB requested, 512 MiB limit
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Extra IPv4 sources of tunnel traffic besides the ClusterNetwork's node ranges: with Calico's VXLAN or
   * IP-in-IP overlay, a node reaches a pod on another node from its tunnel address.
   * @default - none
   */
  readonly tunnelSourceCidrs?: string[];
  /**
   * How the gateway pods get `net.ipv4.ip_forward=1` and `net.ipv4.conf.{all,default}.rp_filter=0` (and, with an IPv6
   * range, `net.ipv6.conf.{all,default}.forwarding=1`) in their own network namespace (docs/egress-gateway.md weighs
   * the three).
   * @default SysctlMethod.INIT_CONTAINER
   */
  readonly sysctls?: SysctlMethod;
  /**
   * Metrics, ServiceMonitor and dashboard.
   * @default - metrics served, no ServiceMonitor or dashboard
   */
  readonly monitoring?: GatewayMonitoring;
  /**
   * Emit the Namespace objects of the gateway and of the node agent, labelled with the Pod Security level their pods
   * need (`privileged`: host networking, NET_ADMIN, the sysctl init containers). Turn off when you manage the
   * namespaces yourself (then give them that level).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * The egress-nat node agent (one per app; set it on one gateway at most).
   * @default - in this gateway's namespace, on every node
   */
  readonly nodeAgent?: EgressNodeAgentOptions;
}
