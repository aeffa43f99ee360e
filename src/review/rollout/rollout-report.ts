import { joinAddresses } from './address-join';
import { FlowDestination, FlowDestinationKind, destinationSetIndex, flowDestination } from './flow-destination';
import { FlowRecord } from './flow-record';
import { ObservedAddresses } from './observed-addresses';
import { RuleProposal, SeenPort, inClusterAdvice, proposeRule } from './rule-proposal';
import { StagedZonePolicies } from './staged-denial';
import { EgressModelDocument } from '../../model/egress-model-document';
import { EgressValidationError } from '../../model/errors';

/** One protocol and port of a group, with how often it was seen. */
export interface PortCount extends SeenPort {
  readonly connections: number;
}

/** Flows one zone's staged policy would deny, to one destination. */
export interface RolloutGroup {
  readonly zone: string;
  /** The zone's construct path. */
  readonly zonePath: string;
  /** False when the zone is enforced in this app by now (the flows are from before). */
  readonly staged: boolean;
  readonly destination: { readonly kind: FlowDestinationKind; readonly name: string; readonly namespace?: string; readonly description: string };
  readonly ports: PortCount[];
  /** Flow records (Goldmane aggregates connections per 15 s window and node). */
  readonly records: number;
  /** Connections started. */
  readonly connections: number;
  /** Packets the sources sent. */
  readonly packets: number;
  /** ISO 8601, UTC. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Source workloads ("<namespace>/<name>", Goldmane's aggregated pod name). */
  readonly sources: string[];
  /** The rule that would allow the flows (external destinations). @default - none: see inCluster */
  readonly proposal?: RuleProposal;
  /** For the API server and in-cluster destinations: what decides them instead of a rule. @default - external */
  readonly inCluster?: string;
}

/** What staged zones would have denied, grouped by zone and destination, with the rules that would allow it. */
export interface RolloutReport {
  /** Flow records read. */
  readonly records: number;
  /** Records a staged zone of this app would deny. */
  readonly denied: number;
  /** Zones reported on (the app's staged zones, or the one asked for). */
  readonly zones: string[];
  readonly groups: RolloutGroup[];
  /** Staged policies named in the flows that no zone of the app owns (another app's, or a zone renamed). */
  readonly foreignPolicies: string[];
  /** "<node>/<zone>: n" where an observer's set was full and n connections went unrecorded. @default - none */
  readonly unrecordedAddresses?: string[];
}

export interface RolloutReportOptions {
  /** Only this zone. @default - every zone */
  readonly zone?: string;
  /** What the node agents' address observers recorded (`--addresses`): the addresses behind "pub"/"pvt". @default - none */
  readonly observed?: ObservedAddresses;
}

interface Tally {
  readonly dest: FlowDestination;
  readonly zone: EgressModelDocument['zones'][number];
  readonly ports: Map<string, { port: SeenPort; connections: number }>;
  records: number;
  connections: number;
  packets: number;
  first: number;
  last: number;
  readonly sources: Set<string>;
}

const KIND_ORDER = [
  FlowDestinationKind.DESTINATION_SET,
  FlowDestinationKind.NETWORK_SET,
  FlowDestinationKind.NETWORK,
  FlowDestinationKind.API_SERVER,
  FlowDestinationKind.IN_CLUSTER,
];

/** Builds the report from an app's egress model and flow records. */
export function buildRolloutReport(doc: EgressModelDocument, records: FlowRecord[], options: RolloutReportOptions = {}): RolloutReport {
  if (options.zone !== undefined && !doc.zones.some(z => z.name === options.zone)) {
    throw new EgressValidationError('--zone', options.zone, `is not a zone of this app (its zones: ${doc.zones.map(z => z.name).join(', ') || 'none'})`);
  }
  const policies = new StagedZonePolicies(doc);
  const sets = destinationSetIndex(doc);
  const tallies = new Map<string, Tally>();
  const foreign = new Set<string>();
  let denied = 0;
  for (const r of records) {
    policies.foreignStagedPolicies(r).forEach(p => foreign.add(p));
    const denial = policies.denialOf(r);
    if (!denial || (options.zone !== undefined && denial.zone.name !== options.zone)) continue;
    denied++;
    const dest = flowDestination(sets, r);
    const id = `${denial.zone.name}\u0000${dest.key}`;
    let t = tallies.get(id);
    if (!t) {
      t = { dest, zone: denial.zone, ports: new Map(), records: 0, connections: 0, packets: 0, first: Infinity, last: -Infinity, sources: new Set() };
      tallies.set(id, t);
    }
    const port: SeenPort = { protocol: r.proto, port: r.destPort };
    const pk = `${port.protocol}/${port.port}`;
    const pc = t.ports.get(pk) ?? { port, connections: 0 };
    pc.connections += r.connectionsStarted;
    t.ports.set(pk, pc);
    t.records++;
    t.connections += r.connectionsStarted;
    t.packets += r.packetsOut;
    t.first = Math.min(t.first, r.startTime);
    t.last = Math.max(t.last, r.endTime, r.startTime);
    t.sources.add(`${r.sourceNamespace}/${r.sourceName}`);
  }
  const sorted = [...tallies.values()].sort((a, b) => compare(a.zone.name, b.zone.name)
    || KIND_ORDER.indexOf(a.dest.kind) - KIND_ORDER.indexOf(b.dest.kind) || compare(a.dest.key, b.dest.key));
  const taken = new Map(doc.zones.map(z => [z.name, new Set(z.rules.map(r => r.name))]));
  const groups = sorted.map(t => group(t, taken.get(t.zone.name)!, doc, options.observed));
  const zones = options.zone !== undefined ? [options.zone] : doc.zones.filter(z => z.staged).map(z => z.name);
  const unrecorded = Object.entries(options.observed?.unrecorded ?? {}).map(([k, n]) => `${k}: ${n}`).sort();
  const full = unrecorded.length ? { unrecordedAddresses: unrecorded } : {};
  return { records: records.length, denied, zones, groups, foreignPolicies: [...foreign].sort(), ...full };
}

function group(t: Tally, taken: Set<string>, doc: EgressModelDocument, observed?: ObservedAddresses): RolloutGroup {
  const ports = [...t.ports.values()]
    .sort((a, b) => compare(a.port.protocol, b.port.protocol) || a.port.port - b.port.port)
    .map(p => ({ ...p.port, connections: p.connections }));
  const external = t.dest.kind !== FlowDestinationKind.API_SERVER && t.dest.kind !== FlowDestinationKind.IN_CLUSTER;
  const seen = ports.map(p => ({ protocol: p.protocol, port: p.port }));
  return {
    zone: t.zone.name,
    zonePath: t.zone.path,
    staged: t.zone.staged === true,
    destination: {
      kind: t.dest.kind,
      name: t.dest.name,
      ...(t.dest.namespace ? { namespace: t.dest.namespace } : {}),
      description: t.dest.description,
    },
    ports,
    records: t.records,
    connections: t.connections,
    packets: t.packets,
    firstSeen: iso(t.first),
    lastSeen: iso(t.last),
    sources: [...t.sources].sort(),
    ...(external
      ? { proposal: proposeRule(t.zone, t.dest, seen, taken, observed && joinAddresses(doc, t.zone.name, t.dest, seen, observed.addresses)) }
      : { inCluster: inClusterAdvice(t.zone, t.dest) }),
  };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
