/**
 * The part of the kernel's network state an agent owns, as plain values: what `ip -j`/`bridge -j`
 * list (filtered to the agent's devices, ids, tables and rule marks) and what compute() desires.
 */
export interface VxlanLink {
  readonly name: string;
  readonly vni: number;
  readonly port: number;
  /** Fixed inner MAC (gateway side); undefined leaves the kernel's choice (node side). */
  readonly mac?: string;
  /** Learn senders' MACs (the gateway side, for the replies' way back: reply-tunnel.ts); ageing in seconds. */
  readonly learningAgeing?: number;
  /** A /32 on the device (the node side: reverse-path filtering rejects any packet arriving on an address-less device). */
  readonly address?: string;
}

export interface Neighbor { readonly dev: string; readonly ip: string; readonly mac: string }
export interface FdbEntry { readonly dev: string; readonly mac: string; readonly dst: string }
export interface Nexthop { readonly id: number; readonly via: string; readonly dev: string }
export interface NexthopGroup { readonly id: number; readonly members: number[]; readonly buckets: number }

/**
 * The single default route of one agent-owned table. IPv4 unless `family` is 6: Linux keeps a routing table and its
 * rules per family, so one table number holds an IPv4 and an IPv6 default route apart (the IPv6 steering uses the
 * same numbers and marks as the IPv4 one).
 */
export type TableRoute =
  | { readonly table: number; readonly kind: 'group'; readonly nhid: number; readonly family?: 6 }
  | { readonly table: number; readonly kind: 'via'; readonly via: string; readonly dev: string; readonly family?: 6 }
  | { readonly table: number; readonly kind: 'blackhole'; readonly family?: 6 };

/** Where a table sends what it has no replica for: a group, or a blackhole (fail closed). */
export type RouteFallback = { readonly kind: 'group'; readonly nhid: number; readonly family?: 6 } | { readonly kind: 'blackhole'; readonly family?: 6 };

/** An `ip rule` from a mark to a table; IPv4 unless `family` is 6. */
export interface MarkRule { readonly priority: number; readonly mark: number; readonly mask: number; readonly table: number; readonly family?: 6 }

/** The key of a table's route: its family and number. */
export function routeKey(r: { readonly table: number; readonly family?: 6 }): string {
  return `${r.family ?? 4}|${r.table}`;
}

export interface NetState {
  readonly links: VxlanLink[];
  readonly neighbors: Neighbor[];
  readonly fdb: FdbEntry[];
  readonly nexthops: Nexthop[];
  readonly groups: NexthopGroup[];
  readonly routes: TableRoute[];
  readonly rules: MarkRule[];
}

export const EMPTY_NET_STATE: NetState = { links: [], neighbors: [], fdb: [], nexthops: [], groups: [], routes: [], rules: [] };

/**
 * One change to the kernel; `linux-kernel.ts` turns it into an `ip`/`bridge` command. The set/del pairs repeat on
 * purpose: a discriminated union with one member per command keeps each command's payload exact (and the switch over
 * `op` exhaustive), which a generic { op, object } would lose.
 */
export type NetOp =
  | { readonly op: 'add-link'; readonly link: VxlanLink }
  | { readonly op: 'del-link'; readonly name: string }
  | { readonly op: 'set-neighbor'; readonly neighbor: Neighbor }
  | { readonly op: 'del-neighbor'; readonly neighbor: Neighbor }
  | { readonly op: 'set-fdb'; readonly fdb: FdbEntry }
  | { readonly op: 'del-fdb'; readonly fdb: FdbEntry }
  | { readonly op: 'set-nexthop'; readonly nexthop: Nexthop }
  | { readonly op: 'del-nexthop'; readonly id: number }
  | { readonly op: 'set-group'; readonly group: NexthopGroup }
  | { readonly op: 'set-route'; readonly route: TableRoute }
  | { readonly op: 'del-route'; readonly table: number; readonly family?: 6 }
  | { readonly op: 'add-rule'; readonly rule: MarkRule }
  | { readonly op: 'del-rule'; readonly rule: MarkRule };

/** Which ids, tables and devices belong to an agent (everything else is never listed nor touched). */
export interface NetOwnership {
  readonly devicePrefix: string;
  readonly nexthopIds: [number, number];
  readonly tables: [number, number];
  readonly markMask: number;
  readonly rulePriority: number;
}
