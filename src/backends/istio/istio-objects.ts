import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshDestination, MeshGrant, MeshPort } from './istio-plan';
import { HttpMatchKind } from '../../model/http-match';
import { PART_OF, PART_OF_LABEL } from '../../model/vocabulary';

/** Istio's API groups, as the objects' apiVersion names them (v1: Istio 1.22+). */
export const NETWORKING = 'networking.istio.io/v1';
export const SECURITY = 'security.istio.io/v1';

/** One Istio (or Gateway API) object under `scope`. */
export function istioObject(scope: Construct, id: string, apiVersion: string, kind: string, name: string, namespace: string, spec: object,
  labels: { [key: string]: string } = {}): ApiObject {
  return new ApiObject(scope, id, { apiVersion, kind, metadata: { name, namespace, labels: { [PART_OF_LABEL]: PART_OF, ...labels } }, spec });
}

/**
 * A grant's sources: its zone's namespaces, or its service accounts (Istio allows at most 16 per source, and not with
 * namespaces in the same source: one source per 16).
 */
function sources(g: MeshGrant): object[] {
  if (!g.serviceAccounts) return [{ source: { namespaces: g.namespaces } }];
  const out: object[] = [];
  for (let i = 0; i < g.serviceAccounts.length; i += 16) out.push({ source: { serviceAccounts: g.serviceAccounts.slice(i, i + 16) } });
  return out;
}

/** A ServiceEntry port's name: protocol and number ("http-80", "tls-443"). */
export function portName(p: { protocol: string; number: number }): string {
  return `${p.protocol.toLowerCase()}-${p.number}`;
}

/**
 * The ServiceEntry of one destination: its host (resolved by DNS) or its one address (a STATIC endpoint), its ports.
 * `targetPort` sends a TLS-originated port's traffic to the destination's TLS port (ambient: the waypoint originates).
 */
export function serviceEntrySpec(dest: MeshDestination, ports: { number: number; protocol: string; targetPort?: number }[]): object {
  return {
    hosts: [dest.host],
    ...(dest.address ? { addresses: [dest.address] } : {}),
    ports: ports.map(p => ({ number: p.number, name: portName(p), protocol: p.protocol, ...(p.targetPort ? { targetPort: p.targetPort } : {}) })),
    location: 'MESH_EXTERNAL',
    resolution: dest.address ? 'STATIC' : 'DNS',
    ...(dest.address ? { endpoints: [{ address: dest.address.replace(/\/\d+$/, '') }] } : {}),
  };
}

/** The DestinationRule that makes the egress point originate TLS on the ports that say so; undefined when none does. */
export function originationSpec(dest: MeshDestination, portOf: (p: MeshPort) => number): object | undefined {
  const originated = dest.ports.filter(p => p.originate);
  if (originated.length === 0) return undefined;
  return {
    host: dest.host,
    trafficPolicy: {
      portLevelSettings: originated.map(p => ({
        port: { number: portOf(p) },
        tls: { mode: 'SIMPLE', sni: dest.host, ...(p.originate!.credentialName ? { credentialName: p.originate!.credentialName } : {}) },
      })),
    },
  };
}

/**
 * AuthorizationPolicy rules for the grants: each allows the grant's zone's namespaces (identified by their mutual-TLS
 * certificates) and only the methods, paths and hosts (or, for TLS, server names) of its rule; a rule written twice
 * (two rules of a zone alike) is written once.
 */
export function authorizationRules(grants: MeshGrant[], options: { host: string; withPorts: boolean; hostsDefault?: string[] }): object[] {
  const rules: object[] = [];
  const seen = new Set<string>();
  for (const g of grants) {
    const http = g.http;
    const operation: { [k: string]: string[] } = {};
    if (options.withPorts) operation.ports = [String(g.port)];
    let when: object[] | undefined;
    if (http?.kind === HttpMatchKind.TLS) {
      const names = http.hosts.length > 0 ? http.hosts.filter(h => h === options.host || (h.startsWith('*.') && options.host.endsWith(h.slice(1)))) : [options.host];
      if (http.hosts.length > 0 && names.length === 0) continue; // the rule's server names are other destinations'
      when = [{ key: 'connection.sni', values: names }];
    } else if (http) {
      if (http.methods.length > 0) operation.methods = http.methods;
      if (http.paths.length > 0) operation.paths = http.paths.map(p => (p.match === 'prefix' ? `${p.value}*` : p.value));
      if (http.hosts.length > 0) operation.hosts = http.hosts;
      else if (options.hostsDefault) operation.hosts = options.hostsDefault;
    } else if (options.hostsDefault) {
      operation.hosts = options.hostsDefault;
    }
    const rule = {
      from: sources(g),
      ...(Object.keys(operation).length > 0 ? { to: [{ operation }] } : {}),
      ...(when ? { when } : {}),
    };
    const key = JSON.stringify(rule);
    if (!seen.has(key)) rules.push(rule);
    seen.add(key);
  }
  return rules;
}
