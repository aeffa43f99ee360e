import { FIRST_PIN, markCapacity, markValue, PinSlot } from './mark-layout';
import { addIpv6Net, groupIdV6, ipv6Fallback } from './node-ipv6-steering';
import { renderNodeRuleset } from './node-ruleset';
import { ReplicaView } from './replica-health';
import { REPLY_DECAP_ADDRESS } from './reply-decap';
import { DataPathConfig, ZoneConfig } from '../../datapath';
import { NetOp, NetOwnership, NetState, RouteFallback, routeKey, TableRoute } from '../shared/net-state';
import { NftRuleset } from '../shared/nft-table-swap';
import { ZonePod } from '../shared/observed-state';
import { steersIpv6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName, TUNNEL_DEVICE_PREFIX, vxlanMacFor } from '../shared/vxlan-mac';

export interface NodeObserved {
  readonly pods: ZonePod[];
  readonly replicas: ReplicaView[];
  /** Slots already in the kernel (key `${vni}|${ip}`), kept so established flows keep their pins. */
  readonly previousSlots: Map<string, number>;
}

export interface NodeDesired {
  /** The node's table; the agent applies it with planTableSwap (nft-table-applier.ts). */
  readonly ruleset: NftRuleset;
  readonly net: NetState;
  readonly slots: PinSlot[];
}

export function nodeOwnership(config: DataPathConfig): NetOwnership {
  const n = config.node;
  return {
    devicePrefix: TUNNEL_DEVICE_PREFIX,
    nexthopIds: [n.nexthopIdBase, n.nexthopIdBase + 65535],
    tables: [n.routeTableBase, n.routeTableBase + 1023],
    markMask: n.markMask,
    rulePriority: n.rulePriority,
  };
}

/**
 * Pure: what the egress-nat agent wants in the kernel for this configuration and these inputs.
 * - Each gateway zone: a VXLAN device, a resilient nexthop group of its ready replicas behind
 *   routing table base+id and an `ip rule` for the zone mark; with no ready replica a blackhole
 *   (fail closed) or nothing (fail open).
 * - Each live replica (ready or draining): a slot, i.e. a pin mark, a table base+256+slot with a
 *   direct route to it and a rule, so flows it already carries stay with it (graceful drain,
 *   survivors undisturbed when buckets move).
 */
export function computeNodeDesired(config: DataPathConfig, observed: NodeObserved): NodeDesired {
  const n = config.node;
  const slots = assignSlots(config, observed);
  const net: { [K in keyof NetState]: any[] } = { links: [], neighbors: [], fdb: [], nexthops: [], groups: [], routes: [], rules: [] };
  const memberId = (slot: number) => n.nexthopIdBase + 1024 + slot;
  const zoneTable = (z: ZoneConfig) => n.routeTableBase + z.id;
  const pinTable = (slot: number) => n.routeTableBase + 256 + slot;

  for (const zone of config.zones) {
    if (!zone.gateway) continue;
    const gw = config.gateways.find((g) => g.name === zone.gateway)!;
    const dev = tunnelDeviceName(zone.vni!);
    net.links.push({ name: dev, vni: zone.vni!, port: gw.vxlanPort, address: REPLY_DECAP_ADDRESS });
    const mine = slots.filter((s) => s.zone === zone);
    for (const s of mine) {
      const mac = vxlanMacFor(s.ip);
      net.neighbors.push({ dev, ip: s.ip, mac });
      net.fdb.push({ dev, mac, dst: s.ip });
      net.nexthops.push({ id: memberId(s.slot), via: s.ip, dev });
      net.rules.push({ priority: n.rulePriority, mark: markValue(config, FIRST_PIN + s.slot), mask: n.markMask, table: pinTable(s.slot) });
    }
    const ready = mine.filter((s) => s.ready);
    const groupId = n.nexthopIdBase + zone.id;
    const fallback: RouteFallback | undefined = ready.length > 0 ? { kind: 'group', nhid: groupId } : zone.failOpen ? undefined : { kind: 'blackhole' };
    for (const s of mine) {
      // Alive for IPv6 only (ipv6 steering): its IPv4 pins go where new IPv4 flows go.
      if (!s.dead4) net.routes.push({ table: pinTable(s.slot), kind: 'via', via: s.ip, dev } as TableRoute);
      else if (fallback) net.routes.push({ ...fallback, table: pinTable(s.slot) } as TableRoute);
    }
    if (ready.length > 0) net.groups.push({ id: groupId, members: ready.map((s) => memberId(s.slot)), buckets: n.buckets });
    if (fallback) net.routes.push({ ...fallback, table: zoneTable(zone) } as TableRoute);
    net.rules.push({ priority: n.rulePriority, mark: markValue(config, zone.id), mask: n.markMask, table: zoneTable(zone) });
  }
  addIpv6Net(config, slots, net);
  const desired = net as unknown as NetState;
  return { ruleset: renderNodeRuleset(config, observed.pods, slots), net: desired, slots };
}

/** Keeps every live replica's previous slot; gives new ones the lowest free slot. */
function assignSlots(config: DataPathConfig, observed: NodeObserved): PinSlot[] {
  const capacity = markCapacity(config) - FIRST_PIN;
  const wanted: Array<Omit<PinSlot, 'slot'>> = [];
  for (const zone of config.zones) {
    if (!zone.gateway) continue;
    const v6 = steersIpv6(config, zone);
    const seen = new Set<string>();
    for (const r of observed.replicas) {
      // A replica keeps its slot while it forwards either family the zone sends through it.
      const health6 = v6 ? r.healthV6 ?? 'dead' : undefined;
      if (r.gateway !== zone.gateway || (r.health === 'dead' && (health6 ?? 'dead') === 'dead') || seen.has(r.ip)) continue;
      seen.add(r.ip);
      wanted.push({ zone, vni: zone.vni!, ip: r.ip, ready: r.health === 'ready', ...(r.health === 'dead' ? { dead4: true } : {}), ...(v6 ? { health6 } : {}) });
    }
  }
  const used = new Set<number>();
  const out: PinSlot[] = [];
  const pending: typeof wanted = [];
  for (const w of wanted) {
    const prev = observed.previousSlots.get(`${w.vni}|${w.ip}`);
    if (prev !== undefined && prev < capacity && !used.has(prev)) {
      used.add(prev);
      out.push({ ...w, slot: prev });
    } else {
      pending.push(w);
    }
  }
  let next = 0;
  for (const w of pending) {
    while (used.has(next)) next++;
    if (next >= capacity) throw new Error(`no free pin slot for replica ${w.ip} of zone ${w.zone.name}: widen node.markMask`);
    used.add(next);
    out.push({ ...w, slot: next });
  }
  return out.sort((a, b) => a.slot - b.slot);
}

/** Recovers slots from the kernel's pin tables (base+256+slot → via replica on egz<vni>). */
export function slotsFromKernel(config: DataPathConfig, net: NetState): Map<string, number> {
  const out = new Map<string, number>();
  const base = config.node.routeTableBase + 256;
  for (const r of net.routes) {
    if (r.kind !== 'via' || r.table < base || r.family === 6) continue;
    const vni = Number(r.dev.slice(TUNNEL_DEVICE_PREFIX.length));
    out.set(`${vni}|${r.via}`, r.table - base);
  }
  return out;
}

/**
 * The first thing to do when replicas leave (died, or their slot is gone): point their pin tables at
 * the zone's group (or a blackhole when failing closed), in the same `ip` batch as the group change.
 * Their pinned flows then move to the survivors at once, before the nftables swap removes the pins and
 * before the stale routes are deleted; the moved flows land where the group sends new ones, so they
 * are re-pinned there (same hash, same bucket).
 */
export function retiredPinRedirects(config: DataPathConfig, current: NetState, desired: NetState): NetOp[] {
  const base = config.node.routeTableBase + 256;
  const kept = new Set(desired.routes.map(routeKey));
  const out: NetOp[] = [];
  for (const r of current.routes) {
    if (r.kind !== 'via' || r.table < base || kept.has(routeKey(r))) continue;
    const vni = Number(r.dev.slice(TUNNEL_DEVICE_PREFIX.length));
    const zone = config.zones.find((z) => z.gateway && z.vni === vni);
    if (!zone) continue;
    if (r.family === 6) {
      const to = ipv6Fallback(config, zone, desired.groups.some((g) => g.id === groupIdV6(config, zone)));
      if (to) out.push({ op: 'set-route', route: { ...to, table: r.table } as TableRoute });
      continue;
    }
    const groupId = config.node.nexthopIdBase + zone.id;
    if (desired.groups.some((g) => g.id === groupId)) out.push({ op: 'set-route', route: { table: r.table, kind: 'group', nhid: groupId } });
    else if (!zone.failOpen) out.push({ op: 'set-route', route: { table: r.table, kind: 'blackhole' } });
  }
  return out;
}
