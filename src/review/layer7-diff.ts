import { EgressModelDocument, EgressZoneModel } from '../model/egress-model-document';
import { describeHttpMatch } from '../model/http-match-text';
import { Port } from '../model/port';

/** A change as PostureDiff reports it (its PostureChange, without importing it back). */
interface Layer7Change {
  readonly zone: string;
  readonly change: string;
  readonly destination: string;
  readonly port: string;
}

/**
 * What changed at layer 7 in one zone: its mesh, and per (destination, port) the requests its rules allow there
 * ("any" for a rule without an HTTP match). Layer 4 reachability is compared by the rest of the diff; a rule whose
 * methods or paths change keeps its addresses and ports, so only this shows it.
 */
export function layer7Changes(zone: string, before: EgressModelDocument, was: EgressZoneModel | undefined, after: EgressModelDocument,
  now: EgressZoneModel | undefined): Layer7Change[] {
  const changes: Layer7Change[] = [];
  const meshText = (z?: EgressZoneModel) => (z?.mesh ? `${z.mesh.backend} ${z.mesh.mode} ${z.mesh.namespace}/${z.mesh.egressPoint}` : 'none');
  if (was && now && meshText(was) !== meshText(now)) changes.push({ zone, change: 'mesh', destination: `${meshText(was)} -> ${meshText(now)}`, port: '' });
  const a = requests(before, was);
  const b = requests(after, now);
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = [...(a.get(key) ?? [])].sort().join(' | ') || 'nothing';
    const y = [...(b.get(key) ?? [])].sort().join(' | ') || 'nothing';
    // A destination and port that only appear or disappear are layer-4 changes, said elsewhere; unless HTTP rules say more.
    if (x === y || ((x === 'nothing' || x === 'any') && (y === 'nothing' || y === 'any'))) continue;
    const [destination, port] = key.split(' ');
    changes.push({ zone, change: 'layer7', destination: `${destination}: ${x} -> ${y}`, port });
  }
  return changes;
}

/** Per "destination port", the requests the zone's rules allow there. */
function requests(doc: EgressModelDocument, zone: EgressZoneModel | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!zone) return out;
  const sets = new Map(doc.destinationSets.map(s => [s.name, s]));
  for (const rule of zone.rules) {
    const what = rule.http ? describeHttpMatch(rule.http) : 'any';
    const dests = rule.destinationSets.flatMap(n => [...(sets.get(n)?.cidrs.map(c => c.cidr) ?? []), ...(sets.get(n)?.domains ?? [])]);
    const ports = rule.ports.length === 0 ? ['all'] : rule.ports.map(p => Port.fromModel(p).toString());
    for (const d of dests) {
      for (const p of ports) {
        const key = `${d} ${p}`;
        if (!out.has(key)) out.set(key, new Set());
        out.get(key)!.add(what);
      }
    }
  }
  return out;
}
