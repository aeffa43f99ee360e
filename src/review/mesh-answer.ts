import { CanReachAnswer, CanReachLayerAnswer, CanReachQuery } from './can-reach-query';
import { EgressRuleModel, EgressZoneModel } from '../model/egress-model-document';
import { HttpMatchKind, HttpMatchModel } from '../model/http-match';
import { describeHttpMatch } from '../model/http-match-text';

/**
 * The per-layer answer for a zone with a mesh: the network layer lets the zone's external traffic out only through the
 * mesh's egress point (whose policy has the zone's rules at layer 4); the mesh layer allows a request when one rule that
 * matches its address and port also matches its method, path and host (or, for TLS, its server name).
 * @param answer the layer-4 answer (the zone's rules, as the egress point's network policy has them)
 * @param matching the zone's rules that match the question's address and port
 */
export function meshLayers(zone: EgressZoneModel, query: CanReachQuery, answer: CanReachAnswer, matching: EgressRuleModel[]): CanReachAnswer {
  const mesh = zone.mesh!;
  const point = `the ${mesh.backend} egress point ${mesh.namespace}/${mesh.egressPoint}`;
  const external = matching.length > 0 || answer.rule === 'default-deny-external';
  if (!external) return answer; // DNS, the API server, in-cluster: the network layer alone, as for any zone
  const network: CanReachLayerAnswer = answer.allowed
    ? { layer: 'network', allowed: true, reason: `allowed only through ${point}: the zone's pods reach no external address themselves, the egress point's policy allows this one (${answer.reason})` }
    : { layer: 'network', allowed: false, reason: `denied: ${answer.reason}; neither the zone's pods nor ${point} may reach it` };
  if (!answer.allowed) return { ...answer, layers: [network, { layer: 'mesh', allowed: false, reason: `no ServiceEntry of ${point} allows it` }] };
  const request = query.httpMethod || query.httpPath ? `${query.httpMethod ?? '<any method>'} ${query.httpPath ?? '<any path>'}` : undefined;
  const verdicts = matching.map(rule => ({ rule, verdict: l7Verdict(rule.http, query) }));
  const allowedBy = verdicts.find(v => v.verdict === 'allowed');
  const restricted = verdicts.filter(v => v.verdict === 'restricted');
  let meshLayer: CanReachLayerAnswer;
  if (allowedBy) {
    meshLayer = { layer: 'mesh', allowed: true, reason: `allowed${request ? ` (${request})` : ''} by rule "${allowedBy.rule.name}" (${allowedBy.rule.http ? describeHttpMatch(allowedBy.rule.http) : 'layer 4: any request'})` };
  } else if (restricted.length > 0 && !request) {
    meshLayer = { layer: 'mesh', allowed: true, reason: `connections allowed, requests only as ${restricted.map(v => `rule "${v.rule.name}" says (${describeHttpMatch(v.rule.http!)})`).join(' or ')}; ask with --http <METHOD> <path>` };
  } else {
    meshLayer = { layer: 'mesh', allowed: false, reason: `denied at ${point}: no rule allows ${request ?? 'this server name'} (${matching.map(r => `rule "${r.name}": ${r.http ? describeHttpMatch(r.http) : 'any'}`).join('; ')})` };
  }
  const allowed = network.allowed && meshLayer.allowed;
  return {
    ...answer,
    allowed,
    rule: allowedBy?.rule.name ?? (allowed ? answer.rule : 'mesh-deny'),
    reason: allowed ? `${meshLayer.reason}, through ${point}` : meshLayer.reason,
    layers: [network, meshLayer],
  };
}

/** Whether a rule's layer-7 part allows the question: allowed, denied, or restricted (the question names no request). */
function l7Verdict(http: HttpMatchModel | undefined, q: CanReachQuery): 'allowed' | 'denied' | 'restricted' {
  if (!http) return 'allowed';
  if (http.kind === HttpMatchKind.TLS) {
    if (http.hosts.length === 0 || !q.domain) return http.hosts.length === 0 ? 'allowed' : 'restricted';
    return http.hosts.some(h => hostMatches(h, q.domain!)) ? 'allowed' : 'denied';
  }
  const restricts = http.methods.length > 0 || http.paths.length > 0 || http.hosts.length > 0;
  if (!q.httpMethod && !q.httpPath) return restricts ? 'restricted' : 'allowed';
  if (http.methods.length > 0 && !(q.httpMethod && http.methods.includes(q.httpMethod))) return 'denied';
  if (http.paths.length > 0 && !(q.httpPath && http.paths.some(p => (p.match === 'prefix' ? q.httpPath!.startsWith(p.value) : q.httpPath === p.value)))) return 'denied';
  if (http.hosts.length > 0 && q.domain && !http.hosts.some(h => hostMatches(h, q.domain!))) return 'denied';
  return 'allowed';
}

/** A host of an HTTP rule or a TLS server name against the question's name: "*.example.com" matches every name below it (Istio's hosts). */
function hostMatches(host: string, name: string): boolean {
  return host === name || (host.startsWith('*.') && name.endsWith(host.slice(1)));
}
