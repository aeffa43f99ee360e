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
