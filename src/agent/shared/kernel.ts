import { ConntrackEntry } from './conntrack-entry';
import { NetOp, NetOwnership, NetState } from './net-state';
import { NftTableObjects } from './nft-table-swap';

/** A named nftables counter of the agent's table. */
export interface NftCounter { readonly name: string; readonly packets: number; readonly bytes: number }

/**
 * Everything an agent asks of the kernel. `LinuxKernel` shells out to nft/ip/bridge/conntrack with
 * JSON output; unit tests use a fake that records what it was asked.
 */
export interface Kernel {
  /** Lists the agent-owned devices, neighbours, FDB entries, nexthops, tables and rules. */
  readNet(owned: NetOwnership): Promise<NetState>;
  /** Applies the changes in this order, stopping at the first failure. */
  applyNet(ops: NetOp[]): Promise<void>;
  /** Applies one nftables script as a single atomic transaction (`nft -f`). */
  applyNft(script: string): Promise<void>;
  listNftCounters(family: string, table: string): Promise<NftCounter[]>;
  /** The names of the table's sets, chains and counters (no elements), or undefined without the table. */
  listNftObjects(family: string, table: string): Promise<NftTableObjects | undefined>;
  listConntrack(): Promise<ConntrackEntry[]>;
  deleteConntrack(entry: ConntrackEntry): Promise<void>;
  /** Addresses (IPv4 and IPv6) configured on any interface of this network namespace. */
  localAddresses(): Promise<string[]>;
  setSysctl(key: string, value: string): Promise<void>;
}
