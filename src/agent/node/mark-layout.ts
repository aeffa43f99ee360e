import { ReplicaHealth } from './replica-health';
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
export interface PinSlot {
  readonly zone: ZoneConfig;
  readonly vni: number;
  readonly ip: string;
  readonly slot: number;
  /** Takes new IPv4 flows. */
  readonly ready: boolean;
  /** Forwards no IPv4 (alive for IPv6 only): its IPv4 pins go where new flows go. */
  readonly dead4?: boolean;
  /** Its IPv6 health, when the zone steers IPv6. */
  readonly health6?: ReplicaHealth;
}

/** The value of mark number `n` (zone id or FIRST_PIN + slot) inside the owned mark bits. */
export function markValue(config: DataPathConfig, n: number): number {
  return depositBits(n, config.node.markMask);
}

/** How many mark numbers the owned bits hold (zones and pins together). */
export function markCapacity(config: DataPathConfig): number {
  return bitCapacity(config.node.markMask);
}
