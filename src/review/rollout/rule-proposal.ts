import { JoinedAddresses } from './address-join';
import { FlowDestination, FlowDestinationKind } from './flow-destination';
import { EgressZoneModel } from '../../model/egress-model-document';

/** A protocol and port seen in flows (port 0: the protocol has no ports, or none was reported). */
export interface SeenPort {
  /** Felix's protocol name: tcp, udp, sctp, icmp, icmp6, or the number. */
  readonly protocol: string;
  readonly port: number;
}

/** The rule the report proposes for one group, as TypeScript. */
export interface RuleProposal {
  /** The rule's id (unique in the zone, and among the proposals). */
  readonly name: string;
  /** The `zone.allow(...)` line; commented out when it cannot be applied as it is (`complete` false). */
  readonly code: string;
  /** True when the line can be pasted as it is (its destination is known). */
  readonly complete: boolean;
  /** The destination set the rule allows. @default - none */
  readonly destinationSet?: string;
  /** The addresses the rule allows (another rule's own addresses). @default - none */
  readonly cidrs?: string[];
  readonly ports: SeenPort[];
  /** Why the line is incomplete, or what it refers to. @default - none */
  readonly note?: string;
}

/** What the zone's in-cluster choice or API server switch must say instead of a rule. */
export function inClusterAdvice(zone: EgressZoneModel, dest: FlowDestination): string {
  if (dest.kind === FlowDestinationKind.API_SERVER) {
    return zone.allowApiServer
      ? 'the zone allows the API server, but not at the address Felix saw after kube-proxy\'s translation: check ClusterNetwork apiServerAddresses (the endpoints of the kubernetes Service)'
      : 'the API server is not a rule: set allowApiServer: true on the zone (ClusterNetwork apiServerAddresses must name its endpoints)';
  }
  return `in-cluster traffic is not a rule: the zone's inCluster choice decides it (now "${zone.inCluster}"); set inCluster: InClusterTraffic.ALLOW on the zone, or allow it with the cluster's own policies`;
}

/**
 * The `zone.allow(...)` line that allows a group's flows: its destination set (referenced, never copied), another
 * rule's own addresses (copied: they have no name to reference), or — when Goldmane named no address — a line
 * commented out with what is missing, unless the node agents' address observer recorded the addresses behind it
 * (`joined`: exact /32s). Ports are the ones seen, consecutive ones joined into a range; never wider.
 */
export function proposeRule(zone: EgressZoneModel, dest: FlowDestination, ports: SeenPort[], taken: Set<string>,
  joined?: JoinedAddresses): RuleProposal {
  const zoneVar = identifier(zone.name);
  const name = uniqueName(baseName(dest, ports), ports, taken);
  const portCode = portsCode(ports);
  const portPart = portCode === undefined ? '' : `, ports: [${portCode}]`;
  const set = dest.set;
  if (dest.kind === FlowDestinationKind.DESTINATION_SET && set && !set.inline) {
    return {
      name,
      ports,
      destinationSet: set.name,
      complete: true,
      code: `${zoneVar}.allow('${name}', { to: [Destination.set(${identifier(set.name)})]${portPart} });`,
      note: `${identifier(set.name)} is the DestinationSet "${set.name}" (${set.path})`,
    };
  }
  if (dest.kind === FlowDestinationKind.DESTINATION_SET && set) {
    const cidrs = set.cidrs.map(c => c.cidr);
    const to = [cidrs.length > 0 ? `Destination.cidrs([${cidrs.map(quote).join(', ')}])` : undefined, set.domains.length > 0 ? `Destination.domains([${set.domains.map(quote).join(', ')}])` : undefined];
    return {
      name,
      ports,
      cidrs,
      complete: true,
      code: `${zoneVar}.allow('${name}', { to: [${to.filter(Boolean).join(', ')}]${portPart} });`,
      note: `the addresses of another rule (${set.path}), which have no set to reference`,
    };
  }
  if (joined) {
    const code = portsCode(joined.ports);
    const notes = [
      `${joined.cidrs.length} address${joined.cidrs.length === 1 ? '' : 'es'} the node agents' observer recorded behind Goldmane's "${dest.name}" (exact /32s)`,
      ...joined.sharedPrefixes.map(p => `${p}: a wider prefix is your call, the report never widens`),
      ...(joined.unobservedPairs.length ? [`also allows ${joined.unobservedPairs.length} address/port pair(s) not observed (${joined.unobservedPairs.slice(0, 3).join(', ')}${joined.unobservedPairs.length > 3 ? ', ...' : ''}): split the rule to be exact`] : []),
      ...(joined.portsWithoutAddress.length ? [`no address recorded for ${joined.portsWithoutAddress.map(p => `${p.protocol}/${p.port}`).join(', ')}: not in this rule`] : []),
    ];
    return {
      name,
      ports: joined.ports,
      cidrs: joined.cidrs,
      complete: joined.portsWithoutAddress.length === 0,
      code: `${zoneVar}.allow('${name}', { to: [Destination.cidrs([${joined.cidrs.map(quote).join(', ')}])]${code === undefined ? '' : `, ports: [${code}]`} });`,
      note: notes.join('; '),
    };
  }
  const missing = dest.kind === FlowDestinationKind.NETWORK_SET
    ? `the addresses of ${dest.namespace ? `NetworkSet ${dest.namespace}/` : 'GlobalNetworkSet '}${dest.name}`
    : `the ${dest.name === 'pvt' ? 'private' : 'public'} addresses: Goldmane reports none`;
  return {
    name,
    ports,
    complete: false,
    code: `// ${zoneVar}.allow('${name}', { to: [Destination.cidrs([/* ${missing} */])]${portPart} });`,
    note: dest.kind === FlowDestinationKind.NETWORK_SET
      ? 'declare its addresses as a DestinationSet (a set this app declares is referenced by the next report)'
      : 'Felix names an external address only by the network set that contains it: declare the addresses you expect as a DestinationSet used by any zone (or a GlobalNetworkSet), and the next report names it',
  };
}

function baseName(dest: FlowDestination, ports: SeenPort[]): string {
  if (dest.kind === FlowDestinationKind.DESTINATION_SET || dest.kind === FlowDestinationKind.NETWORK_SET) return dest.name;
  const p = ports[0];
  return `${dest.name === 'pvt' ? 'private' : 'public'}-${p.protocol}${p.port ? `-${p.port}` : ''}`;
}

function uniqueName(base: string, ports: SeenPort[], taken: Set<string>): string {
  const p = ports[0];
  const candidates = [base, `${base}-${p.protocol}${p.port ? `-${p.port}` : ''}`];
  for (let i = 2; ; i++) {
    const name = (candidates.shift() ?? `${base}-${i}`).slice(0, 63).replace(/-+$/, '');
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

const PORT_FACTORIES: { [protocol: string]: [string, string] } = {
  tcp: ['Port.tcp', 'Port.allTcp()'],
  udp: ['Port.udp', 'Port.allUdp()'],
  sctp: ['Port.sctp', 'Port.allOf(Protocol.SCTP)'],
};

/** Ports as `Port` factories; consecutive ports of a protocol become one range. Undefined: all traffic. */
export function portsCode(ports: SeenPort[]): string | undefined {
  const out: string[] = [];
  const byProtocol = new Map<string, number[]>();
  for (const p of ports) byProtocol.set(p.protocol, [...(byProtocol.get(p.protocol) ?? []), p.port]);
  for (const [protocol, numbers] of [...byProtocol].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [factory, all] = PORT_FACTORIES[protocol] ?? [];
    if (protocol === 'icmp') out.push('Port.icmp()');
    else if (protocol === 'icmp6') out.push('Port.icmpv6()');
    else if (!factory) out.push(`Port.allOf(Protocol.of(${Number(protocol)}))`);
    else if (numbers.includes(0)) out.push(all);
    else out.push(...ranges([...new Set(numbers)].sort((a, b) => a - b)).map(([from, to]) => (from === to ? `${factory}(${from})` : `${factory}Range(${from}, ${to})`)));
  }
  return out.length > 0 ? out.join(', ') : undefined;
}

function ranges(sorted: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

/** A zone or set name (a DNS label) as the TypeScript variable the report assumes holds it: payments-api → paymentsApi. */
export function identifier(name: string): string {
  const id = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9_]/g, '');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, '\\\'')}'`;
}
