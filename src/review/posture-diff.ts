import { layer7Changes } from './layer7-diff';
import { workloadsLeavingZones } from './zone-membership';
import { Cidr } from '../model/cidr';
import { CidrAggregator } from '../model/cidr-aggregation';
import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { inClusterOf, inClusterRanges } from '../model/in-cluster-traffic';
import { Port } from '../model/port';
import { ZoneSources } from '../model/zone-source';

/** One reachable (zone, destination, port) triple that appeared or disappeared. */
export interface PostureChange {
  /** Zone name. */
  readonly zone: string;
  /**
   * "added" (newly reachable) or "removed" (no longer reachable), "exit" (the way out changed), "in-cluster"
   * (the zone's in-cluster choice or API server allowance changed), "layer7" (the requests rules allow at a destination
   * and port: HTTP methods, paths, hosts, TLS server names), "mesh" (the zone's mesh layer), "zone-added", "zone-removed", or "unrestricted": pods the zone selected are in no zone any more, so nothing restricts
   * their egress (a widening, whatever the other changes say).
   */
  readonly change: string;
  /** Destination CIDR or domain, or the exit description. */
  readonly destination: string;
  /** Canonical port ("tcp/443", "tcp/8081-8090", "all"). */
  readonly port: string;
  /**
   * The source the destination sees (how the zone's traffic leaves), for "added" and "removed".
   * @default - not applicable
   */
  readonly source?: string;
  /**
   * For "unrestricted": which workloads left every zone (a namespace, and an example of the pod labels).
   * @default - not applicable
   */
  readonly workloads?: string;
}

/** Protocols with port numbers: their reachability is compared as port intervals. */
const PORTED = ['TCP', 'UDP', 'SCTP', 'UDPLite'];

/** One elementary piece of the port space: an interval of one ported protocol, or a whole other match. */
interface Atom {
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  /** For matches that are not port intervals (ICMP types, other protocols, named ports, the rest of "all"). */
  readonly port?: Port;
  readonly text: string;
}

/**
 * What became reachable and what stopped, between two egress models: for merge-request comments.
 * Compares reachability, not rule entries: per zone and source seen, the sets of (address range, port)
 * before and after, so narrowing /16 to /17 reports the other /17 as no longer reachable, and a rule renamed
 * or split without changing reachability shows no change.
 */
export class PostureDiff {
  /** The changes from `before` to `after`, sorted by zone, change and destination. */
  public static compare(before: EgressModelDocument, after: EgressModelDocument): PostureChange[] {
    const changes: PostureChange[] = [];
    const zonesBefore = new Map(before.zones.map(z => [z.name, z]));
    const zonesAfter = new Map(after.zones.map(z => [z.name, z]));
    for (const zone of new Set([...zonesBefore.keys(), ...zonesAfter.keys()])) {
      const was = zonesBefore.get(zone);
      const now = zonesAfter.get(zone);
      if (!was) changes.push({ zone, change: 'zone-added', destination: '', port: '' });
      if (!now) changes.push({ zone, change: 'zone-removed', destination: '', port: '' });
      const a = was ? reachable(before, was) : [];
      const b = now ? reachable(after, now) : [];
      changes.push(...difference(zone, a, b), ...layer7Changes(zone, before, was, after, now));
      if (was && now && exitOf(was) !== exitOf(now)) changes.push({ zone, change: 'exit', destination: `${exitOf(was)} -> ${exitOf(now)}`, port: '' });
      if (was && now && inClusterText(was) !== inClusterText(now)) {
        changes.push({ zone, change: 'in-cluster', destination: `${inClusterText(was)} -> ${inClusterText(now)}`, port: '' });
      }
    }
    for (const left of workloadsLeavingZones(before, after)) {
      changes.push({ zone: left.zone, change: 'unrestricted', destination: 'any', port: 'all', workloads: describeWorkloads(left) });
    }
    // widenings first: a reviewer must not have to find them among the rest
    const key = (c: PostureChange) => [c.change === 'unrestricted' ? 0 : 1, c.zone, c.change, c.destination, c.port, c.source ?? '', c.workloads ?? ''].join('\u0000');
    return changes.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  }

  /**
   * The line every output of a diff starts with when workloads left every zone (their egress is unrestricted
   * now): a widening that the per-destination changes ("no longer reachable", "zone removed") would hide.
   * @returns the line, or undefined when no workload left every zone
   */
  public static widening(changes: PostureChange[]): string | undefined {
    const left = changes.filter(c => c.change === 'unrestricted');
    if (left.length === 0) return undefined;
    return `WIDENED: ${left.map(c => `${c.workloads} (zone "${c.zone}")`).join('; ')} ${left.length === 1 ? 'is' : 'are'} in no zone any more: nothing restricts their egress`;
  }

  /** The changes as Markdown (a table per zone), or a line saying nothing changed. */
  public static toMarkdown(changes: PostureChange[]): string {
    if (changes.length === 0) return 'No change in egress posture.\n';
    const widening = PostureDiff.widening(changes);
    const lines = [...(widening ? [`**⚠ ${widening}**`, ''] : []), '# Egress posture changes', ''];
    for (const zone of [...new Set(changes.map(c => c.zone))]) {
      lines.push(`## zone \`${zone}\``, '', '| change | destination | port | source seen |', '|---|---|---|---|');
      for (const c of changes.filter(x => x.zone === zone)) {
        const what = { 'added': '➕ now reachable', 'removed': '➖ no longer reachable', 'exit': '↪ exit changed', 'zone-added': '🆕 zone added', 'zone-removed': '🗑 zone removed', 'unrestricted': '⚠ unrestricted', 'in-cluster': '⇄ in-cluster changed', 'layer7': '🔍 HTTP rules changed', 'mesh': '🕸 mesh changed' }[c.change] ?? c.change;
        const destination = c.workloads ? `${c.destination} (${c.workloads})` : c.destination;
        lines.push(`| ${what} | ${destination.replace(/\|/g, '\\|')} | ${c.port} | ${(c.source ?? '').replace(/\|/g, '\\|')} |`);
      }
      lines.push('');
    }
    return lines.join('\n');
  }

  private constructor() {}
}

/** A zone's reachability: per rule, its source seen, its ports and its destinations. */
interface Reach {
  readonly source: string;
  readonly ports: Port[];
  readonly cidrs: string[];
  readonly domains: string[];
}

function reachable(doc: EgressModelDocument, zone: EgressZoneModel): Reach[] {
  const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
  return zone.rules.flatMap(rule => {
    const used = rule.destinationSets.map(n => sets.get(n)).filter(s => s !== undefined);
    const ports = rule.ports.length === 0 ? [Port.allTraffic()] : rule.ports.map(m => Port.fromModel(m));
    // a rule never opens in-cluster ranges, node ranges included (docs/backends.md); each prefix with the source it sees
    const bySource = new Map<string, string[]>();
    for (const cidr of CidrAggregator.subtract(used.flatMap(s => s!.cidrs.map(c => c.cidr)), inClusterRanges(doc))) {
      const source = ZoneSources.forDestination(doc, zone, Cidr.parse(cidr).networkAddress, rule).description;
      bySource.set(source, [...(bySource.get(source) ?? []), cidr]);
    }
    const out: Reach[] = [...bySource].map(([source, cidrs]) => ({ source, ports, cidrs, domains: [] }));
    const domains = used.flatMap(s => s!.domains);
    if (domains.length > 0) out.push({ source: ZoneSources.of(doc, zone, rule).description, ports, cidrs: [], domains });
    return out;
  });
}

/** The port space cut at every boundary either side uses, so each atom is wholly in or out of every rule. */
function atoms(reach: Reach[]): Atom[] {
  const ports = reach.flatMap(r => r.ports);
  const out: Atom[] = [];
  for (const protocol of PORTED) {
    const cuts = new Set<number>([1, 65536]);
    for (const p of ports) {
      if (p.protocol?.name === protocol && p.fromPort !== undefined) {
        cuts.add(p.fromPort);
        cuts.add(p.toPort! + 1);
      }
    }
    const sorted = [...cuts].sort((x, y) => x - y);
    for (let i = 0; i + 1 < sorted.length; i++) out.push({ protocol, from: sorted[i], to: sorted[i + 1] - 1, text: '' });
  }
  const other = new Map<string, Port>();
  for (const p of ports) {
    if (p.isAllTraffic || (p.protocol && PORTED.includes(p.protocol.name) && p.portName === undefined)) continue;
    other.set(p.toString(), p);
  }
  for (const [text, port] of other) out.push({ protocol: port.protocol!.name, port, text });
  return out;
}

function covers(p: Port, a: Atom): boolean {
  if (p.isAllTraffic) return true;
  if (a.port) return a.port.coveredBy(p);
  if (p.protocol?.name !== a.protocol || p.portName !== undefined) return false;
  if (p.fromPort === undefined) return true; // the whole protocol
  return p.fromPort <= a.from! && a.to! <= p.toPort!;
}

function atomText(a: Atom, to?: number): string {
  if (a.port) return a.text;
  const last = to ?? a.to!;
  const name = a.protocol.toLowerCase();
  return a.from === 1 && last === 65535 ? name : a.from === last ? `${name}/${a.from}` : `${name}/${a.from}-${last}`;
}

/** Added and removed (address range, port) per source, with adjacent port intervals of equal change merged. */
function difference(zone: string, before: Reach[], after: Reach[]): PostureChange[] {
  const out: PostureChange[] = [];
  const sources = [...new Set([...before, ...after].map(r => r.source))].sort();
  const space = atoms([...before, ...after]);
  for (const source of sources) {
    const was = before.filter(r => r.source === source);
    const now = after.filter(r => r.source === source);
    const rows: { atom: Atom; added: string[]; removed: string[] }[] = space.map(atom => {
      const reach = (list: Reach[]) => {
        const hit = list.filter(r => r.ports.some(p => covers(p, atom)));
        return { cidrs: CidrAggregator.merge(hit.flatMap(r => r.cidrs)), domains: [...new Set(hit.flatMap(r => r.domains))] };
      };
      const [x, y] = [reach(was), reach(now)];
      return {
        atom,
        added: [...CidrAggregator.subtract(y.cidrs, x.cidrs), ...y.domains.filter(d => !x.domains.includes(d))],
        removed: [...CidrAggregator.subtract(x.cidrs, y.cidrs), ...x.domains.filter(d => !y.domains.includes(d))],
      };
    });
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      let j = i;
      // merge the following intervals of the same protocol with exactly the same change
      while (!r.atom.port && j + 1 < rows.length && !rows[j + 1].atom.port && rows[j + 1].atom.protocol === r.atom.protocol
        && rows[j + 1].atom.from === rows[j].atom.to! + 1
        && rows[j + 1].added.join() === r.added.join() && rows[j + 1].removed.join() === r.removed.join()) j++;
      const port = atomText(r.atom, rows[j].atom.to);
      for (const d of r.added) out.push({ zone, change: 'added', destination: d, port, source });
      for (const d of r.removed) out.push({ zone, change: 'removed', destination: d, port, source });
      i = j;
    }
  }
  return out;
}

function describeWorkloads(left: { namespace: string; podLabels: { [k: string]: string }; namespaceLabels: { [k: string]: string } }): string {
  const list = (labels: { [k: string]: string }) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  const ns = left.namespace === '*' ? 'some namespaces' : `namespace ${left.namespace}`;
  const nsLabels = Object.keys(left.namespaceLabels).length > 0 ? ` (labels ${list(left.namespaceLabels)})` : '';
  const pods = Object.keys(left.podLabels).length > 0 ? `pods labelled ${list(left.podLabels)}` : left.namespace === '*' ? 'pods' : 'every pod';
  return `${pods} of ${ns}${nsLabels}`;
}

function inClusterText(zone: EgressZoneModel): string {
  return `${inClusterOf(zone)}${zone.allowApiServer ? ' +api-server' : ''}${zone.tier !== 'default' ? ` (tier ${zone.tier})` : ''}`;
}

function exitOf(zone: EgressZoneModel): string {
  const e = zone.exit;
  return [e.mode, e.gateway ? `gateway ${e.gateway}` : '', e.natPools.length ? `pools ${e.natPools.join(',')}` : '', e.failOpen ? 'fail-open' : ''].filter(Boolean).join(' ');
}
