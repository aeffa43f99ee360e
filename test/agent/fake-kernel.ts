import { ConntrackEntry } from '../../src/agent/shared/conntrack-entry';
import { Kernel, NftCounter } from '../../src/agent/shared/kernel';
import { EMPTY_NET_STATE, NetOp, NetOwnership, NetState, routeKey } from '../../src/agent/shared/net-state';
import { NftTableObjects } from '../../src/agent/shared/nft-table-swap';

/**
 * A kernel in memory: applies the agent's network changes to a NetState, keeps the last nftables
 * transaction, and records everything it was asked, in order. `failNext` makes the next
 * transaction fail like a kernel rejecting it (the state is left as it was, as `nft -f` does).
 */
export class FakeKernel implements Kernel {
  public net: NetState = { ...EMPTY_NET_STATE };
  public nft?: string;
  /** Every nftables transaction that went in, in order. */
  public readonly nftScripts: string[] = [];
  public readonly log: string[] = [];
  public conntrack: ConntrackEntry[] = [];
  public failNext?: 'nft' | 'net';
  /** What listNftObjects answers when a test sets it; otherwise what the transactions declared and deleted. */
  public nftObjects?: NftTableObjects;
  /** The named objects of each table (`inet cdk8s_egress_gw`), as the applied transactions left them. */
  public readonly nftTables = new Map<string, NftTableObjects>();

  public async readNet(_owned: NetOwnership): Promise<NetState> {
    this.log.push('read');
    return JSON.parse(JSON.stringify(this.net));
  }

  public async applyNet(ops: NetOp[]): Promise<void> {
    if (ops.length === 0) return;
    if (this.failNext === 'net') {
      this.failNext = undefined;
      throw new Error('RTNETLINK answers: Invalid argument');
    }
    for (const o of ops) {
      this.log.push(o.op);
      this.net = applyOp(this.net, o);
    }
  }

  public async applyNft(script: string): Promise<void> {
    if (this.failNext === 'nft') {
      this.failNext = undefined;
      throw new Error('nft: Error: Could not process rule');
    }
    this.log.push('nft');
    this.nft = script;
    this.nftScripts.push(script);
    trackObjects(this.nftTables, script);
  }

  public async listNftObjects(family: string, table: string): Promise<NftTableObjects | undefined> {
    const t = this.nftObjects ?? this.nftTables.get(`${family} ${table}`);
    return t && JSON.parse(JSON.stringify(t));
  }

  public async listNftCounters(): Promise<NftCounter[]> {
    return [];
  }

  public async listConntrack(): Promise<ConntrackEntry[]> {
    return this.conntrack;
  }

  public async deleteConntrack(e: ConntrackEntry): Promise<void> {
    this.log.push(`conntrack-delete ${e.src}:${e.sport}`);
    this.conntrack = this.conntrack.filter((x) => x !== e);
  }

  public async localAddresses(): Promise<string[]> {
    return [];
  }

  public async setSysctl(key: string, value: string): Promise<void> {
    this.log.push(`sysctl ${key}=${value}`);
  }
}

function applyOp(s: NetState, o: NetOp): NetState {
  const without = <T>(list: T[], pred: (x: T) => boolean) => list.filter((x) => !pred(x));
  switch (o.op) {
    case 'add-link': return { ...s, links: [...s.links, o.link] };
    case 'del-link': return { ...s, links: without(s.links, (l) => l.name === o.name) };
    case 'set-neighbor': return { ...s, neighbors: [...without(s.neighbors, (n) => n.dev === o.neighbor.dev && n.ip === o.neighbor.ip), o.neighbor] };
    case 'del-neighbor': return { ...s, neighbors: without(s.neighbors, (n) => n.dev === o.neighbor.dev && n.ip === o.neighbor.ip) };
    case 'set-fdb': return { ...s, fdb: [...without(s.fdb, (f) => f.dev === o.fdb.dev && f.mac === o.fdb.mac), o.fdb] };
    case 'del-fdb': return { ...s, fdb: without(s.fdb, (f) => f.dev === o.fdb.dev && f.mac === o.fdb.mac) };
    case 'set-nexthop': return { ...s, nexthops: [...without(s.nexthops, (n) => n.id === o.nexthop.id), o.nexthop] };
    case 'del-nexthop': return {
      ...s,
      nexthops: without(s.nexthops, (n) => n.id === o.id),
      groups: without(s.groups, (g) => g.id === o.id).map((g) => ({ ...g, members: g.members.filter((m) => m !== o.id) })),
    };
    case 'set-group': {
      for (const m of o.group.members) if (!s.nexthops.some((n) => n.id === m)) throw new Error(`nexthop ${m} does not exist`);
      return { ...s, groups: [...without(s.groups, (g) => g.id === o.group.id), o.group] };
    }
    case 'set-route': return { ...s, routes: [...without(s.routes, (r) => routeKey(r) === routeKey(o.route)), o.route] };
    case 'del-route': return { ...s, routes: without(s.routes, (r) => routeKey(r) === routeKey(o)) };
    case 'add-rule': return { ...s, rules: [...s.rules, o.rule] };
    case 'del-rule': return { ...s, rules: without(s.rules, (r) => JSON.stringify(r) === JSON.stringify(o.rule)) };
  }
}

/** Objects declared in `table <family> <name> { ... }` blocks (two-space indent) and deleted by `delete <kind> ...` lines. */
function trackObjects(tables: Map<string, NftTableObjects>, script: string): void {
  let current: NftTableObjects | undefined;
  const kinds: { [k: string]: 'sets' | 'chains' | 'counters' } = { set: 'sets', map: 'sets', chain: 'chains', counter: 'counters' };
  for (const line of script.split('\n')) {
    let m = /^table (\S+ \S+) \{/.exec(line);
    if (m) {
      if (!tables.has(m[1])) tables.set(m[1], { sets: [], chains: [], counters: [] });
      current = line.endsWith('{}') ? undefined : tables.get(m[1]);
      continue;
    }
    if (line === '}') current = undefined;
    m = /^ {2}(set|map|chain|counter) (\S+) \{/.exec(line);
    if (m && current && !current[kinds[m[1]]].includes(m[2])) current[kinds[m[1]]].push(m[2]);
    m = /^delete (table|set|map|chain|counter) (\S+ \S+)(?: (\S+))?$/.exec(line);
    if (m?.[1] === 'table') {
      tables.delete(m[2]);
    } else if (m) {
      const list = tables.get(m[2])?.[kinds[m[1]]] ?? [];
      if (list.includes(m[3])) list.splice(list.indexOf(m[3]), 1);
    }
  }
}

/** Elements a transaction hands the kernel: those listed in set declarations and in element statements. */
export function elementsIn(script: string): number {
  return [...script.matchAll(/elements = \{ ([^}]*) \}|^(?:add|delete) element \S+ \S+ \S+ \{ ([^}]*) \}/gm)]
    .reduce((n, m) => n + (m[1] ?? m[2]).split(',').filter((e) => e.trim()).length, 0);
}
