import { FIRST_PIN, markValue, PinSlot } from './mark-layout';
import { DataPathConfig, ZoneConfig } from '../../datapath';
import { NetState, RouteFallback } from '../shared/net-state';
import { ZonePod } from '../shared/observed-state';
import { isIpv6, steersIpv6, tunnelNextHopV6 } from '../shared/tunnel-ipv6';
import { tunnelDeviceName, vxlanMacFor } from '../shared/vxlan-mac';

/**
 * The node agent's IPv6 steering, beside the IPv4 one (node-desired-state.ts, node-ruleset.ts) and shaped like it:
 * zones whose gateway has IPv6 egress IPs send their pods' IPv6 flows into the same tunnel, spread by an IPv6
 * resilient nexthop group of the replicas that forward IPv6, pinned per flow in the conntrack mark. Marks, slots and
 * table numbers are the IPv4 ones (the kernel keeps routing tables and rules per family), so a flow's pin names the
 * same replica in either family; only the nexthops and groups are the family's own. Each family fails over, fails
 * closed or fails open by its own probes.
 */

/** IPv6 groups and members: ids clear of the IPv4 ones (groups base+1..63, members base+1024+slot, slots < 8192). */
export function groupIdV6(config: DataPathConfig, zone: ZoneConfig): number {
  return config.node.nexthopIdBase + 512 + zone.id;
}
function memberIdV6(config: DataPathConfig, slot: number): number {
  return config.node.nexthopIdBase + 16384 + slot;
}

/** Adds each IPv6-steering zone's IPv6 neighbours, nexthops, group, tables and rules to `net`. */
export function addIpv6Net(config: DataPathConfig, slots: PinSlot[], net: { [K in keyof NetState]: any[] }): void {
  const n = config.node;
  for (const zone of config.zones.filter((z) => steersIpv6(config, z))) {
    const dev = tunnelDeviceName(zone.vni!);
    const table = n.routeTableBase + zone.id;
    const mine = slots.filter((s) => s.zone === zone);
    for (const s of mine) {
      // The replica's tunnel MAC (its FDB entry is the IPv4 steering's).
      net.neighbors.push({ dev, ip: tunnelNextHopV6(s.ip), mac: vxlanMacFor(s.ip) });
      net.nexthops.push({ id: memberIdV6(config, s.slot), via: tunnelNextHopV6(s.ip), dev });
    }
    const ready = mine.filter((s) => s.health6 === 'ready');
    if (ready.length > 0) net.groups.push({ id: groupIdV6(config, zone), members: ready.map((s) => memberIdV6(config, s.slot)), buckets: n.buckets });
    const fallback = ipv6Fallback(config, zone, ready.length > 0);
    if (fallback) net.routes.push({ ...fallback, table });
    net.rules.push({ priority: n.rulePriority, mark: markValue(config, zone.id), mask: n.markMask, table, family: 6 });
    for (const s of mine) {
      const pin = n.routeTableBase + 256 + s.slot;
      // A replica that stopped forwarding IPv6 keeps its slot while it forwards IPv4: its IPv6 pins go where new flows go.
      if (s.health6 === 'dead') {
        if (fallback) net.routes.push({ ...fallback, table: pin });
      } else {
        net.routes.push({ table: pin, kind: 'via', via: tunnelNextHopV6(s.ip), dev, family: 6 });
      }
      net.rules.push({ priority: n.rulePriority, mark: markValue(config, FIRST_PIN + s.slot), mask: n.markMask, table: pin, family: 6 });
    }
  }
}

/** Where a zone's new IPv6 flows go: its group, else a blackhole (fail closed), else nowhere (fail open: leave directly). */
export function ipv6Fallback(config: DataPathConfig, zone: ZoneConfig, anyReady: boolean): RouteFallback | undefined {
  if (anyReady) return { kind: 'group', nhid: groupIdV6(config, zone), family: 6 };
  return zone.failOpen ? undefined : { kind: 'blackhole', family: 6 };
}

/** Declares the IPv6 sets and maps of the node agent's table through the table's `set` (so a change is planned as a
 * delta like the IPv4 ones, nft-table-swap.ts): `cluster6`, `nogw6_<id>` (intervals), `pod_zone6`, `pins_out6` (hash maps). */
export function declareIpv6Sets(config: DataPathConfig, pods: ZonePod[], slots: PinSlot[],
  set: (name: string, type: string, elements: string[], interval?: boolean) => void): void {
  const zones = config.zones.filter((z) => steersIpv6(config, z));
  if (zones.length === 0) return;
  const c = config.cluster;
  set('cluster6', 'ipv6_addr', [...c.podCidrs, ...c.serviceCidrs, ...c.nodeCidrs].filter(isIpv6), true);
  const byName = new Map(zones.map((z) => [z.name, z]));
  set('pod_zone6', 'ipv6_addr : verdict', [...new Map(pods.filter((p) => isIpv6(p.ip) && byName.has(p.zone)).map((p) => [p.ip, p])).values()]
    .map((p) => `${p.ip} : jump zone_${byName.get(p.zone)!.id}`));
  set('pins_out6', 'ifname . ipv6_addr : verdict', slots.filter((s) => byName.has(s.zone.name))
    .map((s) => `"${tunnelDeviceName(s.vni)}" . ${tunnelNextHopV6(s.ip)} : jump pinout_${s.slot}`));
  for (const z of zones) {
    const direct = z.noGateway.filter(isIpv6);
    if (direct.length) set(`nogw6_${z.id}`, 'ipv6_addr', direct, true);
  }
}

/** The IPv6 lines of the node agent's chains, by where node-ruleset.ts puts them; each set referred to as ref(name). */
export interface Ipv6RulesetLines {
  readonly prerouting: string[];
  readonly postrouting: string[];
  readonly nat: string[];
  /** First lines of a zone's chain (its direct IPv6 destinations). */
  zoneHead(zone: ZoneConfig): string[];
  /** Fail open per family: which families of the zone return (leave directly) instead of taking the zone mark. */
  failOpenFamilies(zone: ZoneConfig, slots: PinSlot[]): Array<4 | 6>;
}

export function ipv6RulesetLines(config: DataPathConfig, pinLimit: string, ref: (set: string) => string): Ipv6RulesetLines {
  const zones = config.zones.filter((z) => steersIpv6(config, z));
  const steered = new Set(zones.map((z) => z.name));
  return {
    zoneHead: (z) => (steered.has(z.name) && z.noGateway.some(isIpv6) ? [`    ip6 daddr ${ref(`nogw6_${z.id}`)} return`] : []),
    failOpenFamilies: (z, all) => {
      if (!z.failOpen) return [];
      const mine = all.filter((s) => s.zone === z);
      const out: Array<4 | 6> = [];
      if (!mine.some((s) => s.ready)) out.push(4);
      if (steered.has(z.name) && !mine.some((s) => s.health6 === 'ready')) out.push(6);
      return out;
    },
    prerouting: zones.length ? [`    ip6 daddr ${ref('cluster6')} return`, `    ip6 saddr vmap ${ref('pod_zone6')}`] : [],
    postrouting: zones.length ? [`    meta mark and ${pinLimit} oifname . rt ip6 nexthop vmap ${ref('pins_out6')}`] : [],
    // The IPv6 twin of the null SNAT that binds a steered connection to the pod's own address.
    nat: zones.length ? [`    oifname ${ref('tunnels')} snat ip6 to ip6 saddr`] : [],
  };
}
