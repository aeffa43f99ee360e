/**
 * What the evaluators are asked: a source workload and one packet. Shared by every backend's evaluator.
 * In-cluster destinations name the endpoint the packet reaches (for a Service address: the backend pod that
 * kube-proxy or Cilium's service translation picks before policy sees the packet).
 */
import * as ipaddr from 'ipaddr.js';

export type Labels = { [key: string]: string };

export interface Workload {
  readonly namespace: string;
  readonly labels: Labels;
  /** The namespace's own labels, besides kubernetes.io/metadata.name (always set). */
  readonly namespaceLabels?: Labels;
}

export interface Packet {
  /** Destination address as the policy sees it (after service translation: the backend's). */
  readonly ip: string;
  /** Protocol number: 6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6, others. */
  readonly protocol: number;
  readonly port?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** The in-cluster endpoint the packet reaches (pod), when it reaches one. */
  readonly endpoint?: Workload;
  /** Whether the address is a node (host) address of the cluster. */
  readonly node?: boolean;
  /** Whether the packet reaches the Kubernetes API server (Cilium's kube-apiserver entity). */
  readonly apiServer?: boolean;
  /** The name the client resolved to get `ip` (for name-based rules). */
  readonly domain?: string;
}

export interface Verdict {
  readonly allowed: boolean;
  readonly why: string;
}

export const PROTOCOL_NUMBERS: { [name: string]: number } = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, ICMPV6: 58, UDPLITE: 136 };

export function protocolNumber(p: string | number): number {
  if (typeof p === 'number') return p;
  const n = PROTOCOL_NUMBERS[p.toUpperCase()];
  if (n !== undefined) return n;
  if (/^[0-9]+$/.test(p)) return Number(p);
  throw new Error(`unknown protocol ${p}`);
}

const ADDRESSES = new Map<string, ipaddr.IPv4 | ipaddr.IPv6>();
const NETWORKS = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number]>();

export function cidrContains(cidr: string, ip: string): boolean {
  let addr = ADDRESSES.get(ip);
  if (!addr) ADDRESSES.set(ip, addr = ipaddr.parse(ip));
  let net = NETWORKS.get(cidr);
  if (!net) {
    const a = ipaddr.parse(cidr.split('/')[0]);
    NETWORKS.set(cidr, net = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [a, a.kind() === 'ipv4' ? 32 : 128]);
  }
  if (addr.kind() !== net[0].kind()) return false;
  return addr.match(net);
}

export function ipVersionOf(ip: string): 4 | 6 {
  return ipaddr.parse(ip).kind() === 'ipv4' ? 4 : 6;
}

/** Kubernetes label selector (matchLabels + matchExpressions), as the API documents it. */
export interface KubeSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function kubeSelectorMatches(sel: KubeSelector | undefined, labels: Labels, keyOf: (k: string) => string[] = k => [k]): boolean {
  if (!sel) return true;
  const value = (k: string): string | undefined => {
    for (const key of keyOf(k)) if (key in labels) return labels[key];
    return undefined;
  };
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (value(k) !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const v = value(e.key);
    switch (e.operator) {
      case 'In': if (v === undefined || !(e.values ?? []).includes(v)) return false; break;
      case 'NotIn': if (v !== undefined && (e.values ?? []).includes(v)) return false; break;
      case 'Exists': if (v === undefined) return false; break;
      case 'DoesNotExist': if (v !== undefined) return false; break;
      default: throw new Error(`unknown operator ${e.operator}`);
    }
  }
  return true;
}
