/**
 * Kubernetes NetworkPolicy egress semantics, from the API documentation (networking.k8s.io/v1):
 * - a pod is isolated for egress when any NetworkPolicy in its namespace selects it with policyTypes
 *   containing Egress; a non-isolated pod may send anything;
 * - an isolated pod may send a packet when some egress rule of some selecting policy allows it: policies
 *   are additive (a union), never ordered, never deny;
 * - a rule allows when one of its peers (`to`; empty = every destination) and one of its ports (`ports`;
 *   empty = every port) match; a peer is an ipBlock (cidr minus except) or a namespaceSelector/podSelector
 *   pair selecting pods (namespaceSelector alone: every pod of those namespaces; podSelector alone: pods of
 *   the policy's namespace); a port has protocol (default TCP), port (number or name) and endPort.
 */
import { cidrContains, kubeSelectorMatches, Packet, protocolNumber, Verdict, Workload } from './packet';

export function evaluateKubernetes(objects: any[], src: Workload, pkt: Packet): Verdict {
  const selecting = objects.filter(o => o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy'
    && o.metadata.namespace === src.namespace
    && (o.spec.policyTypes ?? (o.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])).includes('Egress')
    && kubeSelectorMatches(o.spec.podSelector, src.labels));
  if (selecting.length === 0) return { allowed: true, why: 'no NetworkPolicy isolates the pod for egress' };
  for (const o of selecting) {
    for (const [i, r] of (o.spec.egress ?? []).entries()) {
      if (evaluateKubeRule(r, o.metadata.namespace, pkt)) return { allowed: true, why: `NetworkPolicy ${o.metadata.name} rule ${i}` };
    }
  }
  return { allowed: false, why: `isolated by ${selecting.map(o => o.metadata.name).join(', ')}; no rule allows it` };
}

export function evaluateKubeRule(r: any, policyNamespace: string, pkt: Packet): boolean {
  const to: any[] = r.to ?? [];
  const peerOk = to.length === 0 || to.some(peer => peerMatches(peer, policyNamespace, pkt));
  if (!peerOk) return false;
  const ports: any[] = r.ports ?? [];
  if (ports.length === 0) return true;
  return ports.some(p => {
    if (protocolNumber(p.protocol ?? 'TCP') !== pkt.protocol) return false;
    if (p.port === undefined) return true;
    if (pkt.port === undefined) return false;
    if (typeof p.port === 'string') return false; // named ports resolve on the destination pod; none here
    const end = p.endPort ?? p.port;
    return p.port <= pkt.port && pkt.port <= end;
  });
}

function peerMatches(peer: any, policyNamespace: string, pkt: Packet): boolean {
  if (peer.ipBlock) {
    if (!cidrContains(peer.ipBlock.cidr, pkt.ip)) return false;
    return !(peer.ipBlock.except ?? []).some((e: string) => cidrContains(e, pkt.ip));
  }
  if (!pkt.endpoint) return false;
  const ep = pkt.endpoint;
  const nsLabels = { ...(ep.namespaceLabels ?? {}), 'kubernetes.io/metadata.name': ep.namespace };
  if (peer.namespaceSelector !== undefined) {
    if (!kubeSelectorMatches(peer.namespaceSelector, nsLabels)) return false;
  } else if (ep.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector === undefined || kubeSelectorMatches(peer.podSelector, ep.labels);
}
