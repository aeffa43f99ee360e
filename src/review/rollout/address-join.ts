import { FlowDestination, FlowDestinationKind } from './flow-destination';
import { ObservedAddress } from './observed-addresses';
import { Cidr } from '../../model/cidr';
import { EgressModelDocument } from '../../model/egress-model-document';

/** Felix's "pvt" (collector/types/endpoint/endpoint.go getSubnetType): RFC 1918 only; everything else is "pub". */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(c => Cidr.parse(c));

/** A protocol and port (rule-proposal.ts SeenPort, which imports this file). */
interface SeenPort {
  readonly protocol: string;
  readonly port: number;
}

/** How many addresses of one /24 make the report mention the /24 (it never proposes it: never wider than seen). */
export const SHARED_SLASH24_NOTE_AT = 4;

/** The addresses the observers recorded behind one "pub"/"pvt" group of the report. */
export interface JoinedAddresses {
  /** Exact /32s, sorted. */
  readonly cidrs: string[];
  /** The group's ports at which some address was recorded (the rule allows every address on each of them). */
  readonly ports: SeenPort[];
  /** Address/port pairs the rule would allow that were not recorded (the cross product is wider): empty when exact. */
  readonly unobservedPairs: string[];
  /** "n addresses share a.b.c.0/24" lines. */
  readonly sharedPrefixes: string[];
  /** The group's ports at which no address was recorded (observed on another node, or before the observer ran). */
  readonly portsWithoutAddress: SeenPort[];
}

/**
 * Joins a group Goldmane reported as "pub"/"pvt" with the observers' records: the zone's entries at the group's
 * protocols and ports whose address is of the same kind (RFC 1918 or not) and in none of the app's destination sets
 * (Felix would have named that set instead). Goldmane decides what would be denied; the observer only says where it
 * went. Undefined when nothing was recorded for the group.
 */
export function joinAddresses(doc: EgressModelDocument, zone: string, dest: FlowDestination, ports: SeenPort[],
  observed: ObservedAddress[]): JoinedAddresses | undefined {
  if (dest.kind !== FlowDestinationKind.NETWORK) return undefined;
  const named = doc.destinationSets.flatMap(s => s.cidrs.filter(c => c.ipVersion === 4).map(c => Cidr.parse(c.cidr)));
  const wantPrivate = dest.name === 'pvt';
  const portKey = (p: SeenPort) => `${p.protocol}/${p.port}`;
  const groupPorts = new Set(ports.map(portKey));
  const byAddress = new Map<string, Set<string>>();
  for (const a of observed) {
    if (a.zone !== zone || !groupPorts.has(`${a.protocol}/${a.port}`)) continue;
    if (PRIVATE.some(c => c.containsAddress(a.address)) !== wantPrivate) continue;
    if (named.some(c => c.containsAddress(a.address))) continue;
    byAddress.set(a.address, (byAddress.get(a.address) ?? new Set()).add(`${a.protocol}/${a.port}`));
  }
  if (byAddress.size === 0) return undefined;
  const addresses = [...byAddress.keys()].sort(compareAddresses);
  const seenPorts = new Set([...byAddress.values()].flatMap(s => [...s]));
  const joinedPorts = ports.filter(p => seenPorts.has(portKey(p)));
  const unobservedPairs = addresses.flatMap(a => joinedPorts.filter(p => !byAddress.get(a)!.has(portKey(p))).map(p => `${a} ${portKey(p)}`));
  const per24 = new Map<string, number>();
  for (const a of addresses) {
    const prefix = `${a.split('.').slice(0, 3).join('.')}.0/24`;
    per24.set(prefix, (per24.get(prefix) ?? 0) + 1);
  }
  return {
    cidrs: addresses.map(a => `${a}/32`),
    ports: joinedPorts,
    unobservedPairs,
    sharedPrefixes: [...per24].filter(([, n]) => n >= SHARED_SLASH24_NOTE_AT).map(([p, n]) => `${n} addresses share ${p}`),
    portsWithoutAddress: ports.filter(p => !seenPorts.has(portKey(p))),
  };
}

function compareAddresses(a: string, b: string): number {
  const n = (x: string) => x.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}
