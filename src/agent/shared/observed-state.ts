import { isIP } from 'node:net';
import { DataPathConfig } from '../../datapath';
import { DataPathConfigError, DataPathProblem } from '../../datapath/data-path-config-error';

/** A pod address on this node that belongs to a zone (a dual-stack pod is one entry per address). */
export interface ZonePod { readonly ip: string; readonly zone: string; readonly name?: string }

/** A gateway replica as the cluster reports it (EndpointSlice conditions, or the state file). */
export interface GatewayEndpoint {
  readonly gateway: string;
  readonly name: string;
  /** Underlay address the node tunnels to and probes. */
  readonly ip: string;
  readonly ready: boolean;
  readonly terminating: boolean;
}

/** The Kubernetes-facing inputs, from the adapter or from a state file. */
export interface ObservedCluster {
  readonly pods: ZonePod[];
  readonly gateways: GatewayEndpoint[];
}

/** Validates a state document against the configuration (zones and gateways must exist). */
export function parseObservedCluster(json: string, config: DataPathConfig): ObservedCluster {
  const problems: DataPathProblem[] = [];
  let doc: any;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new DataPathConfigError('state file', [{ path: '$', reason: `malformed JSON: ${(e as Error).message}` }]);
  }
  const zones = new Set([...config.zones, ...config.observe?.zones ?? []].map((z) => z.name));
  const gateways = new Set(config.gateways.map((g) => g.name));
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
  const pods: ZonePod[] = [];
  const eps: GatewayEndpoint[] = [];
  (Array.isArray(doc?.pods) ? doc.pods : []).forEach((p: any, i: number) => {
    // A dual-stack pod is listed once per address; IPv6 addresses only where version 2 allows them.
    const v6 = config.version >= 2 && typeof p?.ip === 'string' && p.ip.includes(':') && isIP(p.ip) === 6;
    if (!ipv4.test(p?.ip) && !v6) problems.push({ path: `$.pods[${i}].ip`, reason: `${JSON.stringify(p?.ip)} is not an IPv4 address${config.version >= 2 ? ' or an IPv6 address' : ''}` });
    else if (!zones.has(p.zone)) problems.push({ path: `$.pods[${i}].zone`, reason: `unknown zone ${JSON.stringify(p?.zone)}` });
    else pods.push({ ip: p.ip, zone: p.zone, name: p.name });
  });
  (Array.isArray(doc?.gateways) ? doc.gateways : []).forEach((g: any, i: number) => {
    if (!ipv4.test(g?.ip)) problems.push({ path: `$.gateways[${i}].ip`, reason: `${JSON.stringify(g?.ip)} is not an IPv4 address` });
    else if (!gateways.has(g.gateway)) problems.push({ path: `$.gateways[${i}].gateway`, reason: `unknown gateway ${JSON.stringify(g?.gateway)}` });
    else eps.push({ gateway: g.gateway, name: String(g.name ?? g.ip), ip: g.ip, ready: g.ready !== false, terminating: g.terminating === true });
  });
  if (problems.length) throw new DataPathConfigError('state file', problems);
  return { pods, gateways: eps };
}
