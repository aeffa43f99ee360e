/**
 * Cilium's egress decision, from Cilium's policy documentation (docs.cilium.io: "Layer 3 Examples",
 * "Layer 4 Examples", "Deny Policies", "CiliumClusterwideNetworkPolicy"):
 * - an endpoint's egress is enforced (default deny) when some policy selecting it has egress or egressDeny
 *   rules and does not set enableDefaultDeny.egress to false; otherwise everything is allowed;
 * - enforced: a packet passes when some egress rule of some selecting policy allows it (rules and policies
 *   are a union) and no egressDeny rule of any selecting policy matches it (deny wins over allow);
 * - endpoint labels carry a source: pod labels are `k8s:<key>`, plus `k8s:io.kubernetes.pod.namespace` and
 *   `k8s:io.cilium.k8s.namespace.labels.<key>`; a selector key without a source matches any source;
 * - toCIDR/toCIDRSet (cidr minus except) match addresses outside the cluster only: they do not apply to
 *   traffic towards Cilium-managed endpoints or cluster nodes; toEntities: world = outside the cluster,
 *   cluster = every endpoint and node of the cluster, all = both, kube-apiserver = the API server wherever it
 *   runs (Cilium learns its addresses from the kubernetes Service's endpoints); toEndpoints selects pods (of every
 *   namespace in a clusterwide policy, of the policy's namespace in a namespaced one);
 *   toFQDNs matches addresses learnt from DNS answers for the names (matchPattern `*` within one label);
 * - toPorts (port "0" = every port; endPort for ranges; protocol ANY/TCP/UDP/SCTP) and icmps (type and
 *   family) restrict a rule; a rule with neither allows every protocol and port.
 */
import { cidrContains, ipVersionOf, kubeSelectorMatches, Labels, Packet, protocolNumber, Verdict, Workload } from './packet';

export function evaluateCilium(objects: any[], src: Workload, pkt: Packet): Verdict {
  const srcLabels = ciliumLabels(src);
  const specs: { name: string; namespace?: string; spec: any }[] = [];
  for (const o of objects) {
    if (o.apiVersion !== 'cilium.io/v2') continue;
    if (o.kind !== 'CiliumClusterwideNetworkPolicy' && o.kind !== 'CiliumNetworkPolicy') continue;
    const namespace = o.kind === 'CiliumNetworkPolicy' ? o.metadata.namespace : undefined;
    if (namespace !== undefined && namespace !== src.namespace) continue;
    for (const spec of [...(o.spec ? [o.spec] : []), ...(o.specs ?? [])]) {
      if (!spec.endpointSelector) continue;
      if (ciliumSelectorMatches(spec.endpointSelector, srcLabels)) specs.push({ name: o.metadata.name, namespace, spec });
    }
  }
  const enforcing = specs.filter(s => (s.spec.egress !== undefined || s.spec.egressDeny !== undefined) && s.spec.enableDefaultDeny?.egress !== false);
  for (const s of specs) {
    for (const [i, r] of (s.spec.egressDeny ?? []).entries()) {
      if (ruleMatches(r, pkt, s.namespace)) return { allowed: false, why: `${s.name} egressDeny[${i}]` };
    }
  }
  if (enforcing.length === 0) return { allowed: true, why: 'no policy enforces egress on the endpoint' };
  for (const s of specs) {
    for (const [i, r] of (s.spec.egress ?? []).entries()) {
      if (ruleMatches(r, pkt, s.namespace)) return { allowed: true, why: `${s.name} egress[${i}]` };
    }
  }
  return { allowed: false, why: `default deny (enforced by ${enforcing.map(s => s.name).join(', ')})` };
}

export function ciliumLabels(w: Workload): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(w.labels)) out[`k8s:${k}`] = v;
  out['k8s:io.kubernetes.pod.namespace'] = w.namespace;
  const ns = { ...(w.namespaceLabels ?? {}), 'kubernetes.io/metadata.name': w.namespace };
  for (const [k, v] of Object.entries(ns)) out[`k8s:io.cilium.k8s.namespace.labels.${k}`] = v;
  out['k8s:io.cilium.k8s.policy.cluster'] = 'default';
  return out;
}

/** A key with a source ("k8s:app") matches that source; without one ("app") it matches any source. */
export function ciliumSelectorMatches(sel: any, labels: Labels): boolean {
  return kubeSelectorMatches(sel, labels, key => {
    const m = /^(k8s|any|reserved|cidr|unspec|container):(.*)$/.exec(key);
    if (m && m[1] !== 'any') return [key];
    const bare = m ? m[2] : key;
    return ['k8s', 'container', 'unspec'].map(src => `${src}:${bare}`);
  });
}

function inCluster(pkt: Packet): boolean {
  return pkt.endpoint !== undefined || pkt.node === true;
}

function ruleMatches(r: any, pkt: Packet, policyNamespace: string | undefined): boolean {
  for (const k of Object.keys(r)) {
    if (!['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toFQDNs', 'toPorts', 'icmps'].includes(k)) {
      throw new Error(`cilium evaluator: unmodelled egress field ${k}`);
    }
  }
  if (!peerMatches(r, pkt, policyNamespace)) return false;
  const toPorts: any[] | undefined = r.toPorts;
  const icmps: any[] | undefined = r.icmps;
  if (toPorts === undefined && icmps === undefined) return true;
  const portOk = (toPorts ?? []).some(tp => (tp.ports ?? [{ port: '0', protocol: 'ANY' }]).some((p: any) => {
    const proto = (p.protocol ?? 'ANY').toUpperCase();
    if (proto !== 'ANY' && protocolNumber(proto) !== pkt.protocol) return false;
    if (proto === 'ANY' && ![6, 17, 132].includes(pkt.protocol)) return false;
    const from = Number(p.port ?? '0');
    if (Number.isNaN(from)) return false; // a named port: none outside the cluster
    if (from === 0) return true;
    if (pkt.port === undefined) return false;
    return from <= pkt.port && pkt.port <= (p.endPort ?? from);
  }));
  const icmpOk = (icmps ?? []).some(ic => (ic.fields ?? []).some((f: any) => {
    const family = f.family ?? 'IPv4';
    const proto = family === 'IPv6' ? 58 : 1;
    return pkt.protocol === proto && Number(f.type) === pkt.icmpType;
  }));
  return portOk || icmpOk;
}

function peerMatches(r: any, pkt: Packet, policyNamespace: string | undefined): boolean {
  const kinds = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toFQDNs'].filter(k => r[k] !== undefined);
  if (kinds.length === 0) return true;
  return kinds.some(kind => {
    switch (kind) {
      case 'toEndpoints':
        if (!pkt.endpoint) return false;
        return (r.toEndpoints as any[]).some(sel => {
          const labels = ciliumLabels(pkt.endpoint!);
          if (policyNamespace !== undefined && !('k8s:io.kubernetes.pod.namespace' in (sel.matchLabels ?? {}))
            && pkt.endpoint!.namespace !== policyNamespace) return false;
          return ciliumSelectorMatches(sel, labels);
        });
      case 'toCIDR':
        return !inCluster(pkt) && (r.toCIDR as string[]).some(c => cidrContains(c, pkt.ip));
      case 'toCIDRSet':
        return !inCluster(pkt) && (r.toCIDRSet as any[]).some(c => {
          if (c.cidrGroupRef) throw new Error('cilium evaluator: cidrGroupRef is not modelled');
          return cidrContains(c.cidr, pkt.ip) && !(c.except ?? []).some((e: string) => cidrContains(e, pkt.ip));
        });
      case 'toEntities':
        return (r.toEntities as string[]).some(e => e === 'all' || (e === 'world' && !inCluster(pkt))
          || (e === 'world-ipv4' && !inCluster(pkt) && ipVersionOf(pkt.ip) === 4) || (e === 'world-ipv6' && !inCluster(pkt) && ipVersionOf(pkt.ip) === 6)
          || (e === 'cluster' && inCluster(pkt)) || ((e === 'host' || e === 'remote-node') && pkt.node === true)
          || (e === 'kube-apiserver' && pkt.apiServer === true));
      case 'toFQDNs':
        return pkt.domain !== undefined && !inCluster(pkt) && (r.toFQDNs as any[]).some(f => fqdnMatches(f, pkt.domain!));
      default:
        return false;
    }
  });
}

function fqdnMatches(f: any, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (f.matchName !== undefined) return f.matchName.toLowerCase().replace(/\.$/, '') === n;
  const pattern = String(f.matchPattern).toLowerCase().replace(/\.$/, '');
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[-a-z0-9_]*')}$`);
  return re.test(n);
}
