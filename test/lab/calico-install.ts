/**
 * What Calico's own installation writes into a fresh cluster's datastore, besides the CRDs and admission policies of
 * the bundle (../shared/reference/calico/manifests): calico-node's start-up (node/pkg/lifecycle/startup/startup.go,
 * ensureDefaultConfig, Calico v3.31) creates the global FelixConfiguration "default" with only these two fields, and on
 * the Kubernetes datastore no per-node one. The lab writes exactly this and nothing else for Felix.
 */
export const CALICO_DEFAULT_FELIX_CONFIGURATION = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'FelixConfiguration',
  metadata: { name: 'default' },
  spec: { reportingInterval: '0s', logSeverityScreen: 'Info' },
};

/**
 * What the datastore holds besides, once Calico's own client stored that object (calico-node's start-up and calicoctl
 * use the same one): the defaults libcalico-go fills in on create (lib/clientv3/felixconfig.go, setDefaults), the CRD
 * schema's default (nftablesMode), and bpfLogLevel, which the v3.31 type writes even when empty. Read back in the lab.
 */
export const CALICO_CLIENT_DEFAULTS = {
  floatingIPs: 'Disabled',
  bpfConnectTimeLoadBalancing: 'TCP',
  bpfHostNetworkedNATWithoutCTLB: 'Enabled',
  nftablesMode: 'Auto',
  bpfLogLevel: '',
};

/**
 * The calico plugin's entry in the CNI network config Calico's installer (calico-node's install-cni) writes for the
 * Kubernetes datastore: calico-ipam, k8s policy, the node name, the kubeconfig, the MTU (the installer's __CNI_MTU__)
 * and the log file filled in. The one addition is `nodename_file_optional`: calico-node writes
 * /var/lib/calico/nodename, one path per machine, and the plugin otherwise requires it; the lab's nodes share the
 * machine, so the name comes from `nodename` alone. Real nodes chain it in a conflist (node/node-config.ts); without
 * them the lab invokes it alone, as the kubelet's runtime would.
 */
export function calicoCniPlugin(nodeName: string, logFile: string, kubeconfig: string, ipam: Record<string, string> = {}): object {
  return {
    type: 'calico',
    log_level: 'info',
    log_file_path: logFile,
    datastore_type: 'kubernetes',
    nodename: nodeName,
    nodename_file_optional: true,
    mtu: 1500,
    // A dual-stack install adds assign_ipv6 (the installer's CNI template with IPv6 pools): test/lab/dual-stack-lab.ts.
    ipam: { type: 'calico-ipam', ...ipam },
    policy: { type: 'k8s' },
    kubernetes: { kubeconfig },
  };
}
