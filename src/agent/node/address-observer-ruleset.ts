import { isIP } from 'node:net';
import { DataPathConfig } from '../../datapath';
import { ZonePod } from '../shared/observed-state';

/** The observer's own table (never anyone else's): IPv4, as Felix names IPv4 networks "pub"/"pvt". */
export const OBSERVER_NFT_TABLE = 'cdk8s_egress_observe';

/** The protocols recorded with their port: `th dport` is a port only for these (for ICMP it would read the checksum). */
const PORTED = '{ tcp, udp, sctp }';

/** A zone name in nft identifiers: zone names are DNS labels, which have no "_", so the mapping reverses. */
function zoneSetSuffix(zone: string): string {
  return zone.replace(/-/g, '_');
}

/** The sets and counters of the table as the kernel holds them (name → size and timeout), to tell which must go. */
export type ExistingSets = Map<string, { size?: number; timeout?: number; counter?: boolean }>;

/**
 * The script that brings the table to the configuration and the node's pods, keeping what was recorded: `add` of a
 * table, set or counter that exists is a no-op, so the dynamic sets `seen_<zone>` (address . protocol . port, a
 * counter per entry, the timeout refreshed by each new connection: last seen) and `first_<zone>` (the same key, added
 * once, never refreshed: first seen) survive every re-render; only the pod sets and the chain are rewritten. A set
 * whose size or timeout changed, or whose zone is no longer observed, is deleted (after the chain that uses it is
 * flushed, in the same transaction). Only new connections count (`ct state new`): an entry's counter is the number of
 * connections. A full set records nothing new; the zone's `unrecorded_<zone>` counter counts what it missed.
 */
export function renderObserverScript(config: DataPathConfig, pods: ZonePod[], existing: ExistingSets): string {
  const T = `ip ${OBSERVER_NFT_TABLE}`;
  const o = config.observe;
  const zones = o?.zones ?? [];
  const L: string[] = [`add table ${T}`, `add chain ${T} forward { type filter hook forward priority -5; policy accept; }`, `flush chain ${T} forward`];
  const wanted = new Set<string>();
  const cluster = [...config.cluster.podCidrs, ...config.cluster.serviceCidrs, ...config.cluster.nodeCidrs].filter((c) => !c.includes(':'));
  wanted.add('cluster');
  L.push(`add set ${T} cluster { type ipv4_addr; flags interval; auto-merge; }`, `flush set ${T} cluster`);
  if (cluster.length) L.push(`add element ${T} cluster { ${cluster.join(', ')} }`);
  for (const z of zones) {
    const s = zoneSetSuffix(z.name);
    const key = 'type ipv4_addr . inet_proto . inet_service';
    const dyn = `size ${o!.maxAddresses}; flags dynamic,timeout; timeout ${o!.timeoutSeconds}s;`;
    for (const [name, spec] of [[`seen_${s}`, `${key}; ${dyn} counter;`], [`first_${s}`, `${key}; ${dyn}`]]) {
      const e = existing.get(name);
      if (e && (e.size !== o!.maxAddresses || e.timeout !== o!.timeoutSeconds)) L.push(`delete set ${T} ${name}`);
      L.push(`add set ${T} ${name} { ${spec} }`);
      wanted.add(name);
    }
    const mine = [...new Set(pods.filter((p) => p.zone === z.name && isIP(p.ip) === 4).map((p) => p.ip))].sort();
    L.push(`add set ${T} pods_${s} { type ipv4_addr; }`, `flush set ${T} pods_${s}`);
    if (mine.length) L.push(`add element ${T} pods_${s} { ${mine.join(', ')} }`);
    L.push(`add counter ${T} unrecorded_${s}`);
    wanted.add(`pods_${s}`).add(`unrecorded_${s}`);
    const match = `ct state new ip saddr @pods_${s} ip daddr != @cluster meta l4proto ${PORTED}`;
    const k = 'ip daddr . meta l4proto . th dport';
    L.push(`add rule ${T} forward ${match} update @seen_${s} { ${k} } add @first_${s} { ${k} }`);
    L.push(`add rule ${T} forward ${match} ${k} != @seen_${s} counter name unrecorded_${s}`);
  }
  for (const [name, e] of existing) if (!wanted.has(name)) L.push(`delete ${e.counter ? 'counter' : 'set'} ${T} ${name}`);
  return L.join('\n') + '\n';
}

/** One destination a staged zone's pods opened new connections to, on this node. */
export interface ObservedAddressEntry {
  readonly address: string;
  /** tcp, udp or sctp. */
  readonly protocol: string;
  readonly port: number;
  /** New connections counted since the entry was made. */
  readonly connections: number;
  /** ISO 8601, UTC; to the second. First seen within the timeout: an entry that timed out starts again. */
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** What a node's observer holds: the document `main.js observed-addresses` prints. */
export interface ObservedAddressesDocument {
  readonly kind: 'ObservedAddresses';
  readonly node: string;
  readonly observedAt: string;
  readonly zones: ObservedZoneEntries[];
}

/** One zone's entries on a node, with its set's bounds and the connections a full set did not record. */
export interface ObservedZoneEntries {
  readonly zone: string;
  readonly timeoutSeconds: number;
  readonly maxAddresses: number;
  readonly unrecorded: number;
  readonly addresses: ObservedAddressEntry[];
}

/** Reads `nft -j list table ip cdk8s_egress_observe` at time `now` (ms): expiry times become first and last seen. */
export function observedFromListing(json: string, node: string, now: number): ObservedAddressesDocument {
  const items: any[] = JSON.parse(json).nftables ?? [];
  const sets = new Map<string, any>(items.filter((i) => i.set).map((i) => [i.set.name, i.set]));
  const counters = new Map<string, number>(items.filter((i) => i.counter).map((i) => [i.counter.name, i.counter.packets ?? 0]));
  const iso = (secondsAgo: number) => new Date(Math.floor(now / 1000 - secondsAgo) * 1000).toISOString().replace('.000Z', 'Z');
  const keyOf = (v: any) => (Array.isArray(v?.concat) ? v.concat.map(String).join(' ') : undefined);
  const zones: ObservedZoneEntries[] = [];
  for (const [name, seen] of [...sets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!name.startsWith('seen_')) continue;
    const s = name.slice('seen_'.length);
    const timeout: number = seen.timeout ?? 0;
    const first = new Map<string, number>();
    for (const e of sets.get(`first_${s}`)?.elem ?? []) {
      const k = keyOf(e.elem?.val);
      if (k) first.set(k, timeout - (e.elem.expires ?? timeout));
    }
    const addresses: ObservedAddressEntry[] = [];
    for (const e of seen.elem ?? []) {
      const v = e.elem?.val;
      const k = keyOf(v);
      if (!k) continue;
      const lastAgo = timeout - (e.elem.expires ?? timeout);
      const [address, protocol, port] = v.concat;
      addresses.push({
        address: String(address),
        protocol: String(protocol),
        port: Number(port),
        connections: e.elem.counter?.packets ?? 0,
        firstSeen: iso(Math.max(first.get(k) ?? lastAgo, lastAgo)),
        lastSeen: iso(lastAgo),
      });
    }
    addresses.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) || a.protocol.localeCompare(b.protocol) || a.port - b.port);
    zones.push({ zone: s.replace(/_/g, '-'), timeoutSeconds: timeout, maxAddresses: seen.size ?? 0, unrecorded: counters.get(`unrecorded_${s}`) ?? 0, addresses });
  }
  return { kind: 'ObservedAddresses', node, observedAt: iso(0), zones };
}

/** The sets of a listing (undefined: no table), for renderObserverScript. */
export function existingSets(json: string | undefined): ExistingSets {
  const out: ExistingSets = new Map();
  if (!json) return out;
  for (const i of JSON.parse(json).nftables ?? []) {
    if (i.set) out.set(i.set.name, { size: i.set.size, timeout: i.set.timeout });
    if (i.counter) out.set(i.counter.name, { counter: true });
  }
  return out;
}
