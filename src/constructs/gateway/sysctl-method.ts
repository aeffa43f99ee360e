import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/**
 * How the gateway pods get the sysctls of their own network namespace: `net.ipv4.ip_forward=1` and
 * `net.ipv4.conf.{all,default}.rp_filter=0` (reverse-path filtering drops everything arriving on the address-less
 * tunnel devices). Either way they are the pod's own: network sysctls are per network namespace.
 */
export enum SysctlMethod {
  /**
   * A privileged init container writes them in the pod's network namespace and exits; the agent container stays
   * unprivileged. No kubelet flag: accepted wherever privileged pods are (EKS, GKE Standard, AKS); the namespace needs
   * Pod Security level `privileged`.
   */
  INIT_CONTAINER = 'InitContainer',
  /**
   * Pod sysctls (`securityContext.sysctls`), no privileged container. Kubernetes counts them as unsafe: the gateway
   * nodes' kubelets must allow them (`--allowed-unsafe-sysctls`), which managed node pools rarely let you set.
   */
  POD_SYSCTLS = 'PodSysctls',
  /** Neither: the CNI or the node image already gives pods forwarding and no reverse-path filtering. */
  NONE = 'None',
}

/** The gateway pods' namespace sysctls (name → value). */
export const GATEWAY_SYSCTLS: ReadonlyArray<readonly [string, string]> = [
  ['net.ipv4.ip_forward', '1'],
  ['net.ipv4.conf.all.rp_filter', '0'],
  ['net.ipv4.conf.default.rp_filter', '0'],
];

/**
 * With an IPv6 egress range: IPv6 forwarding in the pod's namespace (IPv6 has no reverse-path filter sysctl). `all`
 * turns on every interface's forwarding, `default` covers the tunnels the agent creates later.
 */
export const GATEWAY_IPV6_SYSCTLS: ReadonlyArray<readonly [string, string]> = [
  ['net.ipv6.conf.all.forwarding', '1'],
  ['net.ipv6.conf.default.forwarding', '1'],
];

/** The node's sysctl the node agent's init container sets on the host: flows spread over replicas by L4 hash. */
export const NODE_SYSCTLS: ReadonlyArray<readonly [string, string]> = [['net.ipv4.fib_multipath_hash_policy', '1']];

/**
 * The init container that writes `sysctls` in its pod's network namespace (the host's, for a host-network pod) with
 * the agent image's `sysctls` mode, then exits. Privileged only because the runtime mounts /proc/sys read-only
 * otherwise; it runs nothing else.
 */
export function sysctlInitContainer(image: string, sysctls: ReadonlyArray<readonly [string, string]>): kplus.ContainerProps {
  return {
    name: 'sysctls',
    image,
    args: ['sysctls', ...sysctls.map(([k, v]) => `${k}=${v}`)],
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    resources: { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
    securityContext: {
      ensureNonRoot: false,
      user: 0,
      group: 0,
      privileged: true,
      allowPrivilegeEscalation: true, // the API server rejects privileged with allowPrivilegeEscalation false
      readOnlyRootFilesystem: true,
    },
  };
}
