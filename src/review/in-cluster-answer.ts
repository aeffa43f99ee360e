import { CanReachAnswer, CanReachQuery } from './can-reach-query';
import { Cidr } from '../model/cidr';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { EgressValidationError } from '../model/errors';
import { InClusterTraffic, inClusterOf, inClusterRanges } from '../model/in-cluster-traffic';
import { Port } from '../model/port';
import { Selector } from '../model/selector';

// The part of can-reach that answers for destinations inside the cluster: DNS, the API server, pods, Services
// and nodes. Policies see a packet after kube-proxy's translation (Calico evaluates pod egress after the DNAT),
// so a Service address is answered as the pods or API server behind it.

/** Names pods use for the API server (the `kubernetes` Service in `default`). */
const API_SERVER_NAMES = ['kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
const TCP = 6;

/** What happens to traffic a zone leaves to other policies, per backend. */
const OTHER_POLICIES: { [backend: string]: string } = {
  'calico': 'later policies of the tier; without one allowing it Calico\'s end-of-tier deny drops it',
  'calico-enterprise': 'later policies of the tier; without one allowing it Calico\'s end-of-tier deny drops it',
  'cilium': 'Cilium allows it only if another policy selecting the pod does; otherwise its default deny drops it',
  'kubernetes': 'another NetworkPolicy selecting the pod may allow it; otherwise it is dropped',
  'cluster-network-policy': 'the zone passes it to the NetworkPolicy tier: a NetworkPolicy selecting the pod decides; without one the zone\'s Baseline-tier Deny drops it',
};

/**
 * The answer for a destination inside the cluster, or undefined when the destination is external (the zone's
 * rules decide then). `zone` is the zone that owns the querying workload.
 */
export function inClusterAnswer(doc: EgressModelDocument, zone: EgressZoneModel, query: CanReachQuery): CanReachAnswer | undefined {
  const api = apiServerTarget(doc, query);
  if (api) {
    const as = `${query.ip ?? query.domain} is the API server: kube-proxy translates it to ${api.ip}:${api.port} before policies see it`;
    if (zone.allowApiServer) return answer(zone, true, 'api-server', `${as}; zone "${zone.name}" allows the API server`);
    const inner = inClusterAnswer(doc, zone, { ...query, domain: undefined, ip: api.ip, port: api.port });
    if (inner) return { ...inner, reason: `${as}; ${inner.reason}` };
    return undefined; // a managed API server outside the cluster ranges: the zone's rules decide, by that address
  }
  const target = query.ip !== undefined ? Cidr.parse(query.ip) : undefined;
  const toPod = query.destinationNamespace !== undefined;
  const dnsPort = zone.dns.enabled && zone.dns.ports.some(p => Port.fromModel(p).matches(query.protocol, query.port));
  const to = query.ip ?? query.domain;
  if (dnsPort && target && zone.dns.cidrs.some(c => Cidr.parse(c).contains(target))) {
    return answer(zone, true, 'dns', `DNS to ${to} is allowed by zone "${zone.name}"`);
  }
  if (dnsPort && target && doc.dnsServiceAddress !== undefined && Cidr.parse(doc.dnsServiceAddress).contains(target)) {
    return answer(zone, true, 'dns', `${to} is the cluster DNS Service; kube-proxy translates it to a DNS pod (namespace ${zone.dns.namespace}, ${zone.dns.podSelector}), which zone "${zone.name}" allows`);
  }
  const dnsPod = toPod && query.destinationNamespace === zone.dns.namespace
    && Selector.parse(zone.dns.podSelector).matches(query.destinationPodLabels ?? {});
  if (dnsPort && dnsPod) {
    return answer(zone, true, 'dns', `the destination is a DNS pod (namespace ${zone.dns.namespace}, ${zone.dns.podSelector}), which zone "${zone.name}" allows`);
  }
  if (!toPod && !(target && inClusterRanges(doc).some(c => Cidr.parse(c).contains(target)))) return undefined;
  const what = toPod ? `a pod of namespace ${query.destinationNamespace}` : `${to} is in-cluster`;
  // a DNS question to an address we cannot tell to be DNS: say how to ask so that can-reach can tell
  const dnsNote = dnsPort && !toPod ? ` (if ${to} is the DNS Service or a DNS pod, DNS allows it: declare ClusterNetwork dnsServiceAddress, or ask with --to-pod)` : '';
  switch (inClusterOf(zone)) {
    case InClusterTraffic.ALLOW:
      return answer(zone, true, 'in-cluster', `${what}; zone "${zone.name}" allows in-cluster traffic`);
    case InClusterTraffic.DENY:
      return answer(zone, false, 'in-cluster-deny', `${what}; zone "${zone.name}" denies in-cluster traffic${dnsNote}`);
    default:
      if (zone.tier !== 'default' && (zone.backend === 'calico' || zone.backend === 'calico-enterprise')) {
        return answer(zone, true, 'in-cluster-pass', `${what}; zone "${zone.name}" passes it to the tiers after "${zone.tier}": allowed unless a policy there selects the pod and does not allow it`);
      }
      return answer(zone, false, 'in-cluster-fallthrough', `${what}; zone "${zone.name}" leaves it to the cluster's other policies (${OTHER_POLICIES[zone.backend] ?? OTHER_POLICIES.calico}); its rules never open in-cluster ranges${dnsNote}`);
  }
}

function answer(zone: EgressZoneModel, allowed: boolean, rule: string, reason: string): CanReachAnswer {
  return { allowed, zone: zone.name, backend: zone.backend, rule, reason };
}

/** The API server address and port a question is about (after translation), or undefined when it is not about it. */
function apiServerTarget(doc: EgressModelDocument, q: CanReachQuery): { ip: string; port: number } | undefined {
  const byName = q.domain !== undefined && API_SERVER_NAMES.includes(q.domain);
  const api = doc.apiServer;
  if (byName && !api) {
    throw new EgressValidationError('destination', q.domain, 'is the API server, whose addresses the model does not know', undefined,
      'declare them: ClusterNetwork apiServerAddresses (the endpoints of the kubernetes Service)');
  }
  if (!api || q.protocol !== TCP) return undefined;
  const port443 = q.port === undefined || q.port === 443;
  const byService = q.ip !== undefined && api.serviceAddress !== undefined && Cidr.parse(api.serviceAddress).contains(Cidr.parse(q.ip));
  if (!((byName || byService) && port443)) return undefined;
  return { ip: Cidr.parse(api.cidrs[0]).networkAddress, port: api.port };
}
