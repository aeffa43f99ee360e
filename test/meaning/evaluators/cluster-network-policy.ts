/**
 * ClusterNetworkPolicy egress semantics, from the API's documentation (sigs.k8s.io/network-policy-api v0.3.0,
 * apis/v1beta1/clusternetworkpolicy_types.go), not from our renderer:
 * - tiers are evaluated in order: Admin (ClusterNetworkPolicies with `tier: Admin`), then the NetworkPolicy tier
 *   (v1 NetworkPolicies: they make a final decision for every pod they select for egress; further evaluation only
 *   for pods none selects), then Baseline (`tier: Baseline`); a connection no tier decided is allowed;
 * - within a tier, policies by `priority` (lower first); two policies of one priority that both match leave the
 *   choice to the implementation: the evaluator reports that as an error when their answers differ;
 * - a policy applies to the pods its `subject` selects (`namespaces`: every pod of those namespaces; `pods`:
 *   namespaceSelector AND podSelector; host-networked pods are never subjects);
 * - its egress rules in order: the first whose `to` (any peer) and `protocols` (any; absent: every protocol) match
 *   decides: Accept allows (no further policy of any tier), Deny drops, Pass skips the rest of the tier;
 * - peers: `namespaces`/`pods` match pods (not host-networked ones, not addresses outside pods); `networks` match
 *   the destination address, in-cluster ones included; `nodes` (experimental) the nodes' addresses; `domainNames`
 *   (experimental, Accept only) the name the client resolved, `*.` matching one or more labels;
 * - a protocol entry matches its protocol and `destinationPort` (number, or range start..end inclusive);
 *   `destinationNamedPort` needs the destination pod's named ports, which the evaluated packets never have.
 */
import { evaluateKubernetes } from './kubernetes';
import { cidrContains, kubeSelectorMatches, Labels, Packet, Verdict, Workload } from './packet';

const GROUP = 'policy.networking.k8s.io/';
const NAME_LABEL = 'kubernetes.io/metadata.name';
type Decision = 'Accept' | 'Deny' | 'Pass' | undefined;

export function evaluateClusterNetworkPolicy(objects: any[], src: Workload, pkt: Packet): Verdict {
  const cnps = objects.filter(o => typeof o.apiVersion === 'string' && o.apiVersion.startsWith(GROUP) && o.kind === 'ClusterNetworkPolicy');
  const admin = evaluateTier(cnps, 'Admin', src, pkt);
  if (admin.decision === 'Accept' || admin.decision === 'Deny') return { allowed: admin.decision === 'Accept', why: admin.why };
  const np = objects.filter(o => o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy');
  const selecting = np.filter(o => o.metadata.namespace === src.namespace
    && (o.spec.policyTypes ?? (o.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])).includes('Egress')
    && kubeSelectorMatches(o.spec.podSelector, src.labels));
  if (selecting.length > 0) {
    const v = evaluateKubernetes(selecting, src, pkt);
    return { allowed: v.allowed, why: `NetworkPolicy tier: ${v.why}` };
  }
  const baseline = evaluateTier(cnps, 'Baseline', src, pkt);
  if (baseline.decision === 'Accept' || baseline.decision === 'Deny') return { allowed: baseline.decision === 'Accept', why: baseline.why };
  return { allowed: true, why: `no tier decided (${admin.why}; ${baseline.why}): the default allows` };
}

function evaluateTier(cnps: any[], tier: string, src: Workload, pkt: Packet): { decision: Decision; why: string } {
  const policies = cnps.filter(p => p.spec.tier === tier && subjectSelects(p.spec.subject, src));
  const priorities = [...new Set(policies.map(p => p.spec.priority as number))].sort((a, b) => a - b);
  for (const priority of priorities) {
    const here = policies.filter(p => p.spec.priority === priority).map(p => ({ name: p.metadata.name, ...firstMatch(p, pkt) }));
    const deciding = here.filter(h => h.decision !== undefined);
    if (deciding.length === 0) continue;
    if (new Set(deciding.map(h => h.decision)).size > 1) {
      throw new Error(`ambiguous: ${tier} policies ${deciding.map(h => `${h.name} (${h.decision})`).join(', ')} share priority ${priority}`);
    }
    return { decision: deciding[0].decision, why: `${tier} ${deciding[0].name} rule ${deciding[0].rule}: ${deciding[0].decision}` };
  }
  return { decision: undefined, why: `no ${tier} rule matches` };
}

function firstMatch(policy: any, pkt: Packet): { decision: Decision; rule?: string } {
  for (const [i, r] of (policy.spec.egress ?? []).entries()) {
    if (!(r.to ?? []).some((peer: any) => peerMatches(peer, pkt))) continue;
    if (r.protocols !== undefined && !r.protocols.some((p: any) => protocolMatches(p, pkt))) continue;
    return { decision: r.action, rule: r.name ?? String(i) };
  }
  return { decision: undefined };
}

function subjectSelects(subject: any, src: Workload): boolean {
  const nsLabels: Labels = { ...(src.namespaceLabels ?? {}), [NAME_LABEL]: src.namespace };
  if (subject.namespaces) return kubeSelectorMatches(subject.namespaces, nsLabels);
  if (subject.pods) {
    return kubeSelectorMatches(subject.pods.namespaceSelector ?? {}, nsLabels) && kubeSelectorMatches(subject.pods.podSelector, src.labels);
  }
  throw new Error(`subject ${JSON.stringify(subject)} sets no field`);
}

function peerMatches(peer: any, pkt: Packet): boolean {
  const fields = Object.keys(peer);
  if (fields.length !== 1) throw new Error(`a peer sets exactly one field: ${JSON.stringify(peer)}`);
  const ep = pkt.endpoint;
  const nsLabels = ep ? { ...(ep.namespaceLabels ?? {}), [NAME_LABEL]: ep.namespace } : undefined;
  if (peer.namespaces) return !!ep && !pkt.node && kubeSelectorMatches(peer.namespaces, nsLabels!);
  if (peer.pods) {
    if (!ep || pkt.node) return false;
    return kubeSelectorMatches(peer.pods.namespaceSelector ?? {}, nsLabels!) && kubeSelectorMatches(peer.pods.podSelector, ep.labels);
  }
  if (peer.networks) return peer.networks.some((c: string) => cidrContains(c, pkt.ip));
  if (peer.nodes) {
    // Node labels are not part of the packets evaluated here: only "every node" can be answered.
    if (Object.keys(peer.nodes).length > 0) throw new Error('nodes peers with a selector cannot be evaluated here');
    return !!pkt.node;
  }
  if (peer.domainNames) return pkt.domain !== undefined && peer.domainNames.some((d: string) => domainMatches(d, pkt.domain!));
  throw new Error(`unknown peer ${JSON.stringify(peer)}`);
}

function protocolMatches(p: any, pkt: Packet): boolean {
  const [key] = Object.keys(p);
  if (key === 'destinationNamedPort') return false;
  const number = { tcp: 6, udp: 17, sctp: 132 }[key as 'tcp' | 'udp' | 'sctp'];
  if (number === undefined) throw new Error(`unknown protocol entry ${JSON.stringify(p)}`);
  if (pkt.protocol !== number) return false;
  const port = p[key].destinationPort;
  if (port === undefined) return true;
  if (pkt.port === undefined) return false;
  if (port.number !== undefined) return pkt.port === port.number;
  return port.range.start <= pkt.port && pkt.port <= port.range.end;
}

/** Exact (case-insensitive, trailing dot ignored), or `*.` + parent matching one or more labels before it. */
function domainMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === n;
  const parent = p.slice(1);
  return n.endsWith(parent) && n.length > parent.length && !n.slice(0, n.length - parent.length).startsWith('.');
}
