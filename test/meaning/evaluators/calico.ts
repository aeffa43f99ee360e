/**
 * Calico's egress decision for one packet, from Calico's documented semantics
 * (docs.tigera.io: "Calico policy", "Tiers", "Kubernetes policy"):
 * - tiers in order; within a tier, the policies that select the endpoint and have type Egress, by `order`
 *   (unset = last) and then by name; rules in order, the first matching rule's action decides
 *   (Allow, Deny; Pass goes to the next tier; Log continues);
 * - a tier in which some policy selected the endpoint but no rule matched ends in a deny (end of tier);
 * - when no policy in any tier selects the endpoint, its profile applies: Kubernetes allows everything;
 * - Kubernetes NetworkPolicies are policies of the default tier with order 1000, their rules with
 *   NetworkPolicy semantics;
 * - a rule's destination selector matches workload endpoints (in any namespace for a global policy, in
 *   the policy's namespace for a namespaced one, unless a namespaceSelector widens it) and network sets
 *   (GlobalNetworkSets from global policies without namespaceSelector; NetworkSets of the selected
 *   namespaces) whose nets contain the address.
 */
import { calicoSelectorMatches } from './calico-selector';
import { evaluateKubeRule } from './kubernetes';
import { cidrContains, ipVersionOf, kubeSelectorMatches, Labels, Packet, protocolNumber, Verdict, Workload } from './packet';

const DEFAULT_TIER_ORDER = 1_000_000;

interface Candidate {
  readonly tier: string;
  readonly order: number;
  readonly name: string;
  readonly rules: (p: Packet) => { action: string; why: string } | undefined;
}

export function evaluateCalico(objects: any[], src: Workload, pkt: Packet): Verdict {
  const tiers = new Map<string, number>([['default', DEFAULT_TIER_ORDER]]);
  for (const o of objects) if (o.kind === 'Tier' && o.apiVersion === 'projectcalico.org/v3') tiers.set(o.metadata.name, o.spec?.order ?? Infinity);
  const sets = objects.filter(o => o.apiVersion === 'projectcalico.org/v3' && (o.kind === 'GlobalNetworkSet' || o.kind === 'NetworkSet'));
  const candidates: Candidate[] = [];
  for (const o of objects) {
    if (o.apiVersion === 'projectcalico.org/v3' && (o.kind === 'GlobalNetworkPolicy' || o.kind === 'NetworkPolicy')) {
      const c = calicoCandidate(o, src, sets);
      if (c) candidates.push(c);
    } else if (o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy') {
      const c = kubeCandidate(o, src);
      if (c) candidates.push(c);
    }
  }
  if (candidates.length === 0) return { allowed: true, why: 'no Calico policy selects the endpoint: profile allows' };
  const tierOrder = (t: string) => tiers.get(t) ?? Infinity;
  const tierNames = [...new Set(candidates.map(c => c.tier))].sort((a, b) => tierOrder(a) - tierOrder(b) || (a < b ? -1 : 1));
  for (const tier of tierNames) {
    const inTier = candidates.filter(c => c.tier === tier).sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let passed = false;
    for (const c of inTier) {
      const hit = c.rules(pkt);
      if (!hit) continue;
      if (hit.action === 'Allow') return { allowed: true, why: `tier ${tier} policy ${c.name}: ${hit.why}` };
      if (hit.action === 'Deny') return { allowed: false, why: `tier ${tier} policy ${c.name}: ${hit.why}` };
      if (hit.action === 'Pass') {
        passed = true;
        break;
      }
    }
    if (!passed) return { allowed: false, why: `end of tier ${tier}: no rule matched` };
  }
  return { allowed: true, why: 'passed every tier: profile allows' };
}

function calicoCandidate(o: any, src: Workload, sets: any[]): Candidate | undefined {
  const spec = o.spec ?? {};
  const namespaced = o.kind === 'NetworkPolicy';
  const types: string[] = spec.types ?? (spec.egress ? ['Egress'] : ['Ingress']);
  if (!types.includes('Egress')) return undefined;
  if (namespaced && o.metadata.namespace !== src.namespace) return undefined;
  if (!calicoSelectorMatches(spec.selector, endpointLabels(src))) return undefined;
  if (!namespaced && spec.namespaceSelector !== undefined && !calicoSelectorMatches(spec.namespaceSelector, namespaceLabels(src))) return undefined;
  const name: string = o.metadata.name;
  const tier = spec.tier ?? (name.includes('.') ? name.slice(0, name.indexOf('.')) : 'default');
  const rules: any[] = spec.egress ?? [];
  return {
    tier,
    order: spec.order ?? Infinity,
    name,
    rules: pkt => {
      for (const [i, r] of rules.entries()) {
        if (ruleMatches(r, pkt, namespaced ? o.metadata.namespace : undefined, sets)) {
          return { action: r.action, why: `rule ${i} (${r.metadata?.annotations?.['egress.cdk8s.io/rule'] ?? r.action})` };
        }
      }
      return undefined;
    },
  };
}

function kubeCandidate(o: any, src: Workload): Candidate | undefined {
  const spec = o.spec ?? {};
  const types: string[] = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  if (!types.includes('Egress') || o.metadata.namespace !== src.namespace) return undefined;
  if (!kubeMatches(spec.podSelector, src.labels)) return undefined;
  const rules: any[] = spec.egress ?? [];
  return {
    tier: 'default',
    order: 1000,
    name: `knp.default.${o.metadata.name}`,
    rules: pkt => {
      for (const [i, r] of rules.entries()) if (evaluateKubeRule(r, o.metadata.namespace, pkt)) return { action: 'Allow', why: `Kubernetes rule ${i}` };
      return undefined;
    },
  };
}

function kubeMatches(sel: any, labels: Labels): boolean {
  return kubeSelectorMatches(sel, labels);
}

export function endpointLabels(w: Workload): Labels {
  return { ...w.labels, 'projectcalico.org/namespace': w.namespace, 'projectcalico.org/orchestrator': 'k8s' };
}

export function namespaceLabels(w: Workload): Labels {
  return { ...(w.namespaceLabels ?? {}), 'kubernetes.io/metadata.name': w.namespace, 'projectcalico.org/name': w.namespace };
}

function ruleMatches(r: any, pkt: Packet, policyNamespace: string | undefined, sets: any[]): boolean {
  if (r.source && Object.keys(r.source).length > 0) throw new Error(`calico evaluator: source matches are not modelled: ${JSON.stringify(r.source)}`);
  if (r.http || r.notProtocol || r.notICMP || r.serviceAccounts) throw new Error(`calico evaluator: unmodelled rule fields ${JSON.stringify(r)}`);
  if (r.ipVersion !== undefined && r.ipVersion !== ipVersionOf(pkt.ip)) return false;
  if (r.protocol !== undefined && protocolNumber(r.protocol) !== pkt.protocol) return false;
  if (r.icmp) {
    if (r.icmp.type !== undefined && r.icmp.type !== pkt.icmpType) return false;
    if (r.icmp.code !== undefined && r.icmp.code !== pkt.icmpCode) return false;
  }
  const d = r.destination ?? {};
  if (d.services || d.serviceAccounts || d.notSelector) throw new Error(`calico evaluator: unmodelled destination fields ${JSON.stringify(d)}`);
  if (d.nets && !d.nets.some((n: string) => cidrContains(n, pkt.ip))) return false;
  if (d.notNets && d.notNets.some((n: string) => cidrContains(n, pkt.ip))) return false;
  if (d.ports) {
    if (pkt.port === undefined || !d.ports.some((p: number | string) => portMatches(p, pkt.port!))) return false;
  }
  if (d.notPorts && pkt.port !== undefined && d.notPorts.some((p: number | string) => portMatches(p, pkt.port!))) return false;
  if (d.selector !== undefined || d.namespaceSelector !== undefined) {
    if (!selectorPeerMatches(d.selector, d.namespaceSelector, pkt, policyNamespace, sets)) return false;
  }
  return true;
}

function portMatches(p: number | string, port: number): boolean {
  if (typeof p === 'number') return p === port;
  const m = /^([0-9]+):([0-9]+)$/.exec(p);
  if (m) return Number(m[1]) <= port && port <= Number(m[2]);
  if (/^[0-9]+$/.test(p)) return Number(p) === port;
  return false; // named ports resolve to the selected endpoints' ports: no external address has one
}

function selectorPeerMatches(selector: string | undefined, nsSelector: string | undefined, pkt: Packet,
  policyNamespace: string | undefined, sets: any[]): boolean {
  const global = nsSelector !== undefined && /^\s*global\(\)\s*$/.test(nsSelector);
  if (pkt.endpoint && !global) {
    const ep = pkt.endpoint;
    const nsOk = nsSelector !== undefined ? calicoSelectorMatches(nsSelector, namespaceLabels(ep))
      : policyNamespace === undefined || ep.namespace === policyNamespace;
    if (nsOk && calicoSelectorMatches(selector, endpointLabels(ep))) return true;
  }
  for (const s of sets) {
    if (!(s.spec?.nets ?? []).some((n: string) => cidrContains(n, pkt.ip))) continue;
    const labels: Labels = s.metadata.labels ?? {};
    if (s.kind === 'GlobalNetworkSet') {
      if ((nsSelector === undefined && policyNamespace === undefined) || global) {
        if (calicoSelectorMatches(selector, labels)) return true;
      }
    } else {
      const ns: string = s.metadata.namespace;
      const nsOk = nsSelector !== undefined && !global
        ? calicoSelectorMatches(nsSelector, { 'projectcalico.org/name': ns, 'kubernetes.io/metadata.name': ns })
        : policyNamespace === ns;
      if (nsOk && calicoSelectorMatches(selector, labels)) return true;
    }
  }
  return false;
}
