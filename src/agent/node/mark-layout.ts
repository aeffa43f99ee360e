import { DataPathConfig, ZoneConfig } from '../../datapath';
import { bitCapacity, depositBits } from '../shared/mark-bits';

/**
 * The node agent's mark layout, inside the mark bits it owns (config.node.markMask), the same in
 * the packet mark and the conntrack mark: values 1..63 are zones (a zone pod's new flow, routed by
 * the zone's resilient group); FIRST_PIN and up are pins, one per live replica of a zone (a flow
 * that stays with the replica the group chose first). A pin's slot also names its routing table
 * and nexthop.
 */
export const FIRST_PIN = 64;

/** A live replica of a zone, with the slot that names its pin mark, routing table and nexthop. */
export interface PinSlot { readonly zone: ZoneConfig; readonly vni: number; readonly ip: string; readonly slot: number; readonly ready: boolean }

/** The value of mark number `n` (zone id or FIRST_PIN + slot) inside the owned mark bits. */
export function markValue(config: DataPathConfig, n: number): number {
  return depositBits(n, config.node.markMask);
}

/** How many mark numbers the owned bits hold (zones and pins together). */
export function markCapacity(config: DataPathConfig): number {
  return bitCapacity(config.node.markMask);
}
