import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { Port } from '../model/port';

/** One reachable (zone, destination, port) triple that appeared or disappeared. */
export interface PostureChange {
  /** Zone name. */
  readonly zone: string;
  /** "added" (newly reachable) or "removed" (no longer reachable), "exit" (the way out changed), "zone-added", "zone-removed". */
  readonly change: string;
  /** Destination CIDR or domain, or the exit description. */
  readonly destination: string;
  /** Canonical port ("tcp/443", "all"). */
  readonly port: string;
}

/**
 * What became reachable and what stopped, between two egress models: for merge-request comments.
 * Compares the expanded (zone, destination prefix, port) triples, so a rule renamed or split without
 * changing reachability shows no change.
 */
export class PostureDiff {
  /** The changes from `before` to `after`, sorted by zone, change and destination. */
  public static compare(before: EgressModelDocument, after: EgressModelDocument): PostureChange[] {
    const changes: PostureChange[] = [];
    const a = PostureDiff.index(before);
    const b = PostureDiff.index(after);
    for (const zone of new Set([...a.keys(), ...b.keys()])) {
      const was = a.get(zone);
      const now = b.get(zone);
      if (!was) changes.push({ zone, change: 'zone-added', destination: '', port: '' });
      if (!now) changes.push({ zone, change: 'zone-removed', destination: '', port: '' });
      const wasTriples = was?.triples ?? new Set<string>();
      const nowTriples = now?.triples ?? new Set<string>();
      for (const t of nowTriples) if (!wasTriples.has(t)) changes.push({ zone, change: 'added', ...split(t) });
      for (const t of wasTriples) if (!nowTriples.has(t)) changes.push({ zone, change: 'removed', ...split(t) });
      if (was && now && was.exit !== now.exit) changes.push({ zone, change: 'exit', destination: `${was.exit} -> ${now.exit}`, port: '' });
    }
    const key = (c: PostureChange) => [c.zone, c.change, c.destination, c.port].join('\u0000');
    return changes.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  }

  /** The changes as Markdown (a table per zone), or a line saying nothing changed. */
  public static toMarkdown(changes: PostureChange[]): string {
    if (changes.length === 0) return 'No change in egress posture.\n';
    const lines = ['# Egress posture changes', ''];
    for (const zone of [...new Set(changes.map(c => c.zone))]) {
      lines.push(`## zone \`${zone}\``, '', '| change | destination | port |', '|---|---|---|');
      for (const c of changes.filter(x => x.zone === zone)) {
        const what = { 'added': '➕ now reachable', 'removed': '➖ no longer reachable', 'exit': '↪ exit changed', 'zone-added': '🆕 zone added', 'zone-removed': '🗑 zone removed' }[c.change] ?? c.change;
        lines.push(`| ${what} | ${c.destination.replace(/\|/g, '\\|')} | ${c.port} |`);
      }
      lines.push('');
    }
    return lines.join('\n');
  }

  private static index(doc: EgressModelDocument): Map<string, { triples: Set<string>; exit: string }> {
    const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
    const out = new Map<string, { triples: Set<string>; exit: string }>();
    for (const zone of doc.zones) {
      const triples = new Set<string>();
      for (const rule of zone.rules) {
        const ports = rule.ports.length === 0 ? ['all'] : rule.ports.map(p => Port.fromModel(p).toString());
        for (const name of rule.destinationSets) {
          const set = sets.get(name);
          const dests = [...(set?.cidrs.map(c => c.cidr) ?? []), ...(set?.domains ?? [])];
          for (const d of dests) for (const p of ports) triples.add(`${d} ${p}`);
        }
      }
      out.set(zone.name, { triples, exit: exitOf(zone) });
    }
    return out;
  }

  private constructor() {}
}

function exitOf(zone: EgressZoneModel): string {
  const e = zone.exit;
  return [e.mode, e.gateway ? `gateway ${e.gateway}` : '', e.natPools.length ? `pools ${e.natPools.join(',')}` : '', e.failOpen ? 'fail-open' : ''].filter(Boolean).join(' ');
}

function split(triple: string): { destination: string; port: string } {
  const i = triple.lastIndexOf(' ');
  return { destination: triple.slice(0, i), port: triple.slice(i + 1) };
}
