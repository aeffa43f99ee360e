// Packet and conntrack marks are bit fields.
/* eslint-disable no-bitwise */
import { FIRST_PIN, markValue, PinSlot } from './node-desired-state';
import { DataPathConfig } from '../../datapath';
import { cidrContainsAddress, Ipv4Cidr, parseIpv4Cidr } from '../../datapath/ipv4-cidr';
import { ConntrackEntry } from '../shared/conntrack-entry';
import { ZonePod } from '../shared/observed-state';

/**
 * Pure: the conntrack entries to flush after the first sync. An entry is stale when a zone pod
 * or a NAT-pool pod talks to a non-cluster destination and the entry carries no pin of a live
 * replica: it was created before our rules (it left directly, or under an old NAT binding that
 * conntrack would otherwise keep applying) or it is pinned to a replica that is gone.
 * In-cluster entries (Service DNAT bindings) are never touched.
 */
export function staleConntrackEntries(config: DataPathConfig, pods: ZonePod[], slots: PinSlot[], entries: ConntrackEntry[]): ConntrackEntry[] {
  const cidrs = (list: string[]) => list.map((c) => parseIpv4Cidr(c) as Ipv4Cidr);
  const cluster = cidrs([...config.cluster.podCidrs, ...config.cluster.serviceCidrs, ...config.cluster.nodeCidrs]);
  const pools = cidrs(config.natPools.filter((p) => p.snatAddress).map((p) => p.cidr));
  const steered = new Set(pods.filter((p) => config.zones.find((z) => z.name === p.zone)?.gateway).map((p) => p.ip));
  const livePins = new Set(slots.map((s) => markValue(config, FIRST_PIN + s.slot)));
  const mask = config.node.markMask;
  return entries.filter((e) => {
    if (cluster.some((c) => cidrContainsAddress(c, e.dst))) return false;
    const ours = steered.has(e.src) || pools.some((c) => cidrContainsAddress(c, e.src));
    return ours && !livePins.has((e.mark & mask) >>> 0);
  });
}
