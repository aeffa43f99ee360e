import { EgressValidationError } from '../../model/errors';
import { Port } from '../../model/port';

// The order of String.prototype.localeCompare (default locale and options), without creating a collator
// per comparison.
const COLLATOR = new Intl.Collator();

/**
 * A declared port list (a rule's `ports`, `dns.ports`), checked at the declaring construct's path: every entry
 * a Port (JavaScript callers can pass anything), not empty (a list computed to nothing must not fail open), and
 * reduced to the ports no other port of the list covers, sorted. Port.allTraffic() covers the rest and comes
 * back alone. @internal
 */
export function checkedPortList(field: string, ports: readonly Port[], path: string, emptyHint: string): Port[] {
  if (!Array.isArray(ports)) {
    throw new EgressValidationError(field, String(ports), 'is not a list of ports', path, 'e.g. [Port.tcp(443)]');
  }
  if (ports.length === 0) throw new EgressValidationError(field, '[]', 'is empty: give at least one port', path, emptyHint);
  ports.forEach((p, i) => {
    if (!(p instanceof Port)) {
      throw new EgressValidationError(`${field}[${i}]`, String(p), 'is not a Port', path,
        typeof p === 'string' ? `Port.parse(${JSON.stringify(p)})` : 'build ports with Port.tcp(443), Port.udpRange(5000, 5100), Port.icmp(...) or Port.parse("tcp/443")');
    }
  });
  if (ports.length === 1) return [ports[0]]; // the common case, nothing to compare
  const unique = [...new Map(ports.map(p => [p.toString(), p])).values()];
  const all = unique.find(p => p.isAllTraffic);
  if (all) return [all];
  return unique.filter(p => !unique.some(o => o !== p && p.coveredBy(o) && !(o.coveredBy(p) && o.toString() > p.toString())))
    .sort((a, b) => COLLATOR.compare(a.toString(), b.toString()));
}
