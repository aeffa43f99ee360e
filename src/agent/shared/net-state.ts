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

/** The single default route of one agent-owned table. */
export type TableRoute =
  | { readonly table: number; readonly kind: 'group'; readonly nhid: number }
  | { readonly table: number; readonly kind: 'via'; readonly via: string; readonly dev: string }
  | { readonly table: number; readonly kind: 'blackhole' };

export interface MarkRule { readonly priority: number; readonly mark: number; readonly mask: number; readonly table: number }

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
  | { readonly op: 'del-route'; readonly table: number }
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
