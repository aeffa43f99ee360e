/**
 * The configuration files of a lab node (test/lab/node/node-runtime.ts): containerd's, the kubelet's, kube-proxy's and
 * the CNI network config Calico's installer writes. Every path is under the node's own directory, so two nodes on one
 * machine share nothing but the kernel (and the cgroup hierarchy, where each kubelet has its own cgroup root).
 */
import * as path from 'path';
import { calicoCniPlugin } from '../calico-install';
import { CLUSTER_DNS } from '../lab';

/** The kubelet's unsafe sysctls the gateway needs (docs/egress-gateway.md, "Allow the gateway's sysctls"). */
export const GATEWAY_UNSAFE_SYSCTLS = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter'];

/** Where a node keeps its state. */
export interface NodePaths {
  readonly name: string;
  readonly ip: string;
  /** The node's directory (under the lab's). */
  readonly dir: string;
  /** The cgroup (under each controller's root) that holds the kubelet's pods: one per node. */
  readonly cgroupRoot: string;
}

export const containerdSocket = (n: NodePaths) => path.join(n.dir, 'containerd', 'containerd.sock');
export const cniConfDir = (n: NodePaths) => path.join(n.dir, 'cni', 'net.d');
export const kubeletRoot = (n: NodePaths) => path.join(n.dir, 'kubelet');
export const podLogsDir = (n: NodePaths) => path.join(n.dir, 'pod-logs');

/**
 * containerd v2.4 (config version 4): CRI on the overlayfs snapshotter, Debian's runc with the cgroupfs driver, Calico's
 * CNI from `cniBinDirs`, the pod network namespaces under its own state dir, our sandbox image. NRI is off: its socket
 * is one fixed path per machine, and two containerds would fight over it. The grpc/ttrpc addresses are plugin settings
 * in version 4 (a top-level [grpc] is ignored, and every containerd would take /run/containerd/containerd.sock).
 */
export function containerdConfig(n: NodePaths, cniBinDirs: string[], sandboxImage: string, runc: string): string {
  const c = path.join(n.dir, 'containerd');
  const q = JSON.stringify;
  return `version = 4
root = ${q(path.join(c, 'root'))}
state = ${q(path.join(c, 'state'))}
temp = ${q(path.join(c, 'tmp'))}

[plugins."io.containerd.server.v1.grpc"]
  address = ${q(containerdSocket(n))}
[plugins."io.containerd.server.v1.ttrpc"]
  address = ${q(`${containerdSocket(n)}.ttrpc`)}

[plugins."io.containerd.nri.v1.nri"]
  disable = true

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = ${q(sandboxImage)}

[plugins."io.containerd.cri.v1.runtime"]
  enable_selinux = false
  netns_mounts_under_state_dir = true
  # Root here lacks CAP_SYS_RESOURCE: runc cannot lower a container's oom_score_adj below containerd's own (the
  # sandbox's -998 failed: "failed to update /proc/self/oom_score_adj: Permission denied"), so containerd raises it.
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = ${q(runc)}
        Root = ${q(path.join(c, 'runc'))}
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ${q(cniBinDirs)}
    conf_dir = ${q(cniConfDir(n))}
    max_conf_num = 1

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`;
}

/** The CNI network config as Calico's installer writes it: the calico plugin, then portmap and bandwidth. */
export function calicoConflist(n: NodePaths, kubeconfig: string): string {
  return JSON.stringify({
    name: 'k8s-pod-network',
    cniVersion: '0.3.1',
    plugins: [
      calicoCniPlugin(n.name, path.join(n.dir, 'cni.log'), kubeconfig),
      { type: 'portmap', snat: true, capabilities: { portMappings: true } },
      { type: 'bandwidth', capabilities: { bandwidth: true } },
    ],
  }, null, 2);
}

/**
 * The kubelet: client certificates checked against the lab's CA and tokens through the API server (webhook), every
 * request authorized by the API server; cgroupfs under the node's own cgroup root on this machine's cgroup v1
 * (`failCgroupV1: false`, kubelet v1.35+ refuses v1 otherwise); the gateway's unsafe sysctls allowed, as our docs ask of
 * a gateway node.
 */
export function kubeletConfig(n: NodePaths, caFile: string): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: n.ip,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: caFile } },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${containerdSocket(n)}`,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: n.cgroupRoot,
    failCgroupV1: false,
    failSwapOn: false,
    clusterDNS: [CLUSTER_DNS],
    clusterDomain: 'cluster.local',
    podLogsDir: podLogsDir(n),
    allowedUnsafeSysctls: GATEWAY_UNSAFE_SYSCTLS,
    // The lab's disk is the machine's: the defaults would evict pods for what other work on it writes.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    // No static pods.
    staticPodPath: '',
  };
}

/** kube-proxy in nftables mode; conntrack sysctls are the host's (global), so it leaves them alone. */
export function kubeProxyConfig(n: NodePaths, kubeconfig: string): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    hostnameOverride: n.name,
    bindAddress: n.ip,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    clientConnection: { kubeconfig },
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    nodePortAddresses: [`${n.ip}/32`],
  };
}
