import { Port } from '../model/port';
import { Selector } from '../model/selector';

// A props struct of optional, documented fields, shaped like every props struct (calico-policy-spec.ts's too):
// jsii structs are declarations, left alike on purpose.
/** Where zones send DNS queries. */
export interface DnsOptions {
  /**
   * Whether zones may query DNS at all.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Namespace of the cluster DNS pods (a DNS-1123 label: every backend selects it by name).
   * @default "kube-system"
   */
  readonly namespace?: string;
  /**
   * Selector of the cluster DNS pods.
   * @default k8s-app == "kube-dns" (CoreDNS keeps that label)
   */
  readonly podSelector?: Selector;
  /**
   * Ports DNS is allowed on.
   *
   * `[Port.allTraffic()]` allows every protocol and port to the DNS pods and `cidrs`; an empty list is an
   * error (say `enabled: false` for no DNS).
   * @default UDP 53 and TCP 53
   */
  readonly ports?: Port[];
  /**
   * Extra DNS server addresses, e.g. NodeLocal DNSCache's link-local address.
   * @default - none
   */
  readonly cidrs?: string[];
}
