import { DnsModel } from './egress-model-document';
import { Port } from './port';

/** Cluster DNS as most clusters run it: CoreDNS in kube-system, still labelled k8s-app=kube-dns, on UDP/TCP 53. */
export const DEFAULT_DNS: DnsModel = {
  enabled: true,
  namespace: 'kube-system',
  podSelector: 'k8s-app == "kube-dns"',
  ports: [Port.udp(53).toModel(), Port.tcp(53).toModel()],
  cidrs: [],
};
