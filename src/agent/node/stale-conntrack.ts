// Packet and conntrack marks are bit fields.
/* eslint-disable no-bitwise */
import { FIRST_PIN, markValue, PinSlot } from './mark-layout';
import { DataPathConfig } from '../../datapath';
import { Cidr } from '../../model/cidr';
import { ConntrackEntry } from '../shared/conntrack-entry';
import { ZonePod } from '../shared/observed-state';

/**
 * Pure: the conntrack entries to flush after the first sync, i.e. flows to non-cluster destinations
 * that would otherwise keep state from before our rules: a zone pod's flow without the pin of a
 * live replica (it left directly, or is pinned to a replica that is gone), a NAT-pool pod's flow
 * whose NAT binding is not the pool's SNAT address (conntrack keeps applying the old binding).
 * In-cluster entries (Service DNAT bindings) are never touched.
 */
export function staleConntrackEntries(config: DataPathConfig, pods: ZonePod[], slots: PinSlot[], entries: ConntrackEntry[]): ConntrackEntry[] {
  const cidrs = (list: string[]) => list.map((c) => Cidr.parse(c));
  const cluster = cidrs([...config.cluster.podCidrs, ...config.cluster.serviceCidrs, ...config.cluster.nodeCidrs]);
  const pools = config.natPools.filter((p) => p.snatAddress).map((p) => ({ cidr: Cidr.parse(p.cidr), snat: p.snatAddress! }));
  const steered = new Set(pods.filter((p) => config.zones.find((z) => z.name === p.zone)?.gateway).map((p) => p.ip));
  const livePins = new Set(slots.map((s) => markValue(config, FIRST_PIN + s.slot)));
  const mask = config.node.markMask;
  return entries.filter((e) => {
    if (cluster.some((c) => c.containsAddress(e.dst))) return false;
    // Zone pod: stale unless pinned to a live replica.
    if (steered.has(e.src)) return !livePins.has((e.mark & mask) >>> 0);
    // NAT-pool pod: stale when its NAT binding is not the pool's SNAT address.
    const pool = pools.find((p) => p.cidr.containsAddress(e.src));
    return pool !== undefined && e.replyDst !== pool.snat;
  });
}
