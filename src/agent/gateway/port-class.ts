import { createHash } from 'node:crypto';
import { AllowEntryConfig } from '../../datapath';

/**
 * What one destination prefix of a zone is open to, as the gateway checks it once the prefix matched:
 * every protocol, ICMP, and TCP/UDP port ranges (merged, sorted). Prefixes with the same ports share
 * one class, and one chain per class holds the port rules, so the allow-list itself is nothing but
 * prefix → class entries (allow-list-maps.ts).
 */
export interface PortClass {
  /** Canonical text: `any`, or `icmp` (`icmpv6`), `tcp:443,8000-8080`, `udp:*` joined by spaces. Its identity. */
  readonly key: string;
  /** The class chain's rules (each accepts and counts what the class opens). */
  rules(allowedCounter: string): string[];
}

type Range = [number, number];

/**
 * The class of a prefix from every allow entry of the zone with that prefix. An IPv6 prefix's ICMP is
 * ICMPv6 (`icmpv6` in the key): every other class is the same chain for both families.
 */
export function portClassOf(entries: readonly AllowEntryConfig[], family: 'ip' | 'ip6' = 'ip'): PortClass {
  if (entries.some((e) => e.protocol === 'any')) return klass('any', (c) => [`counter name ${c} accept`]);
  const icmp = entries.some((e) => e.protocol === 'icmp');
  const byProto = (['tcp', 'udp'] as const).map((p) => {
    const own = entries.filter((e) => e.protocol === p);
    return { p, ranges: own.length ? merge(own.flatMap((e) => (e.ports.length ? e.ports : ['0-65535']).map(parseRange))) : [] };
  });
  const text = (r: Range) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`);
  const all = (rs: Range[]) => rs.length === 1 && rs[0][0] === 0 && rs[0][1] === 65535;
  const parts = [
    ...(icmp ? [family === 'ip' ? 'icmp' : 'icmpv6'] : []),
    ...byProto.filter((x) => x.ranges.length).map((x) => `${x.p}:${all(x.ranges) ? '*' : x.ranges.map(text).join(',')}`),
  ];
  return klass(parts.join(' '), (c) => [
    ...(icmp ? [`meta l4proto ${family === 'ip' ? 'icmp' : 'ipv6-icmp'} counter name ${c} accept`] : []),
    ...byProto.filter((x) => x.ranges.length).map((x) => {
      if (all(x.ranges)) return `meta l4proto ${x.p} counter name ${c} accept`;
      const ports = x.ranges.map(text);
      return `${x.p} dport ${ports.length === 1 ? ports[0] : `{ ${ports.join(', ')} }`} counter name ${c} accept`;
    }),
  ]);
}

/** The chain name of a zone's class: stable for the same ports (kept across changes and restarts). */
export function portClassChain(zoneId: number, c: PortClass): string {
  return `z${zoneId}_c_${createHash('sha256').update(c.key).digest('hex').slice(0, 12)}`;
}

function klass(key: string, rules: (counter: string) => string[]): PortClass {
  return { key, rules };
}

function parseRange(p: string): Range {
  const [lo, hi] = p.split('-').map(Number);
  return [lo, hi ?? lo];
}

/** Overlapping or adjacent ranges merged (nft rejects overlapping intervals in one set). */
function merge(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
