import { readFile, writeFile } from 'node:fs/promises';
import { ConntrackEntry, parseConntrackList } from './conntrack-entry';
import { Kernel, NftCounter } from './kernel';
import { MarkRule, NetOp, NetOwnership, NetState, TableRoute } from './net-state';
import { NftTableObjects } from './nft-table-swap';
import { CommandError, runCommand } from './run-command';
import { TUNNEL_DEVICE_PREFIX } from './vxlan-mac';

type Json = { [k: string]: any };

/** The real kernel, through iproute2, nftables and conntrack-tools (JSON output where they have it). */
export class LinuxKernel implements Kernel {
  /** MTU of the tunnel devices, measured from the underlay once. */
  private tunnelMtu?: number;

  public async readNet(owned: NetOwnership): Promise<NetState> {
    const [links, nexthops, routes4, rules4, routes6, rules6] = await Promise.all([
      // `addr show -d`: each device's VXLAN details and its addresses in one listing.
      this.ipJson(['-d', 'addr', 'show', 'type', 'vxlan']),
      this.ipJson(['nexthop', 'show']).catch(() => [] as Json[]),
      this.ipJson(['route', 'show', 'table', 'all']),
      this.ipJson(['rule', 'show']),
      // IPv6 too, whether or not the configuration steers IPv6 now: what an earlier one left must be found to be removed.
      // A kernel without IPv6 has none (and fails these listings).
      this.ipJson(['-6', 'route', 'show', 'table', 'all']).catch(() => [] as Json[]),
      this.ipJson(['-6', 'rule', 'show']).catch(() => [] as Json[]),
    ]);
    const routes: Json[] = [...routes4, ...routes6.map((r) => ({ ...r, family6: true }))];
    const rules: Json[] = [...rules4, ...rules6.map((r) => ({ ...r, family6: true }))];
    const ours = links.filter((l) => String(l.ifname).startsWith(owned.devicePrefix));
    const names = new Set(ours.map((l) => l.ifname as string));
    // One listing each for all devices (not one per device): each spawn costs milliseconds that
    // add straight to the failover time.
    const [neigh, fdbAll] = names.size === 0 ? [[], []] : await Promise.all([
      this.ipJson(['neigh', 'show', 'nud', 'permanent']),
      runCommand(['bridge', '-j', 'fdb', 'show']).then((o) => (o.trim() ? JSON.parse(o) : []) as Json[]),
    ]);
    const neighbors = neigh.filter((n) => names.has(n.dev) && n.lladdr)
      .map((n) => ({ dev: n.dev as string, ip: n.dst as string, mac: n.lladdr as string }));
    const fdb = fdbAll.filter((f) => names.has(f.ifname) && f.dst && f.mac !== '00:00:00:00:00:00')
      .map((f) => ({ dev: f.ifname as string, mac: f.mac as string, dst: f.dst as string }));
    const inIds = (id: number) => id >= owned.nexthopIds[0] && id <= owned.nexthopIds[1];
    const inTables = (t: number) => t >= owned.tables[0] && t <= owned.tables[1];
    const tableRoutes: TableRoute[] = [];
    for (const r of routes) {
      const table = Number(r.table);
      if (!inTables(table) || r.dst !== 'default') continue;
      const family = r.family6 ? { family: 6 as const } : {};
      if (r.type === 'blackhole') tableRoutes.push({ table, kind: 'blackhole', ...family });
      else if (r.nhid !== undefined) tableRoutes.push({ table, kind: 'group', nhid: r.nhid, ...family });
      else if (r.gateway) tableRoutes.push({ table, kind: 'via', via: r.gateway, dev: r.dev, ...family });
    }
    const markRules: MarkRule[] = rules
      .filter((r) => r.fwmark !== undefined && r.priority === owned.rulePriority && Number(r.fwmask ?? '0xffffffff') === owned.markMask)
      .map((r) => ({
        priority: r.priority, mark: Number(r.fwmark), mask: Number(r.fwmask), table: Number(r.table), ...(r.family6 ? { family: 6 as const } : {}),
      }))
      .filter((r) => inTables(r.table));
    return {
      links: ours.map((l) => {
        const d = l.linkinfo.info_data;
        const address = (l.addr_info as Json[] | undefined)?.find((a) => a.family === 'inet')?.local as string | undefined;
        const learned = d.learning ? { learningAgeing: d.ageing } : {};
        return { name: l.ifname, vni: d.id, port: d.port, mac: l.address, ...learned, ...(address ? { address } : {}) };
      }),
      neighbors,
      fdb,
      nexthops: nexthops.filter((n) => inIds(n.id) && !n.group).map((n) => ({ id: n.id, via: n.gateway, dev: n.dev })),
      groups: nexthops.filter((n) => inIds(n.id) && n.group).map((n) => ({
        id: n.id, members: n.group.map((m: Json) => m.id), buckets: n.resilient_args?.buckets ?? 0,
      })),
      routes: tableRoutes,
      rules: markRules,
    };
  }

  /**
   * Applies the changes in order, in as few processes as possible: consecutive `ip` commands go
   * through one `ip -batch -` (which stops at the first failure), `bridge` ones through `bridge -batch -`.
   */
  public async applyNet(ops: NetOp[]): Promise<void> {
    if (this.tunnelMtu === undefined && ops.some((o) => o.op === 'add-link')) this.tunnelMtu = (await this.underlayMtu()) - 50;
    const cmds = ops.flatMap((o) => commandsFor(o, this.tunnelMtu ?? 1450));
    for (let i = 0; i < cmds.length;) {
      const tool = cmds[i][0];
      let j = i;
      while (j < cmds.length && cmds[j][0] === tool) j++;
      const argv = tool === 'ip6' ? ['ip', '-6', '-batch', '-'] : [tool, '-batch', '-'];
      await runCommand(argv, cmds.slice(i, j).map((c) => c.slice(1).join(' ')).join('\n') + '\n');
      i = j;
    }
  }

  public async applyNft(script: string): Promise<void> {
    await runCommand(['nft', '-f', '-'], script);
  }

  public async listNftObjects(family: string, table: string): Promise<NftTableObjects | undefined> {
    let out: Json;
    try {
      out = JSON.parse(await runCommand(['nft', '-j', '-t', 'list', 'table', family, table])) as Json;
    } catch (e) {
      if (e instanceof CommandError && /No such file|does not exist/.test(e.stderr)) return undefined;
      throw e;
    }
    const names = (kind: string) => (out.nftables as Json[]).filter((x) => x[kind]).map((x) => x[kind].name as string);
    // Maps are sets to the kernel (`delete set` deletes one), listed apart by nft.
    return { sets: [...names('set'), ...names('map')], chains: names('chain'), counters: names('counter') };
  }

  public async listNftCounters(family: string, table: string): Promise<NftCounter[]> {
    const out = JSON.parse(await runCommand(['nft', '-j', 'list', 'counters', 'table', family, table])) as Json;
    return (out.nftables as Json[]).filter((x) => x.counter).map((x) => ({
      name: x.counter.name, packets: x.counter.packets, bytes: x.counter.bytes,
    }));
  }

  public async listConntrack(): Promise<ConntrackEntry[]> {
    // Both families: the drain waits for IPv6 flows too, and the first sync flushes stale IPv6 entries. A kernel
    // without IPv6 conntrack has none to list.
    const [v4, v6] = await Promise.all([
      runCommand(['conntrack', '-L', '-f', 'ipv4'], undefined, 30_000),
      runCommand(['conntrack', '-L', '-f', 'ipv6'], undefined, 30_000).catch(() => ''),
    ]);
    return [...parseConntrackList(v4), ...parseConntrackList(v6)];
  }

  public async deleteConntrack(e: ConntrackEntry): Promise<void> {
    const ports = e.sport !== undefined && e.dport !== undefined ? ['--sport', String(e.sport), '--dport', String(e.dport)] : [];
    try {
      await runCommand(['conntrack', '-D', '-f', e.src.includes(':') ? 'ipv6' : 'ipv4', '-p', e.protocol, '-s', e.src, '-d', e.dst, ...ports]);
    } catch (err) {
      // Exit 1 with "0 flow entries have been deleted": it expired meanwhile, which is what we wanted.
      if (!(err instanceof CommandError && /0 flow entries/.test(err.stderr))) throw err;
    }
  }

  public async localAddresses(): Promise<string[]> {
    // Both families: a gateway replica holds an egress IP of each family it has.
    const out = await this.ipJson(['addr', 'show']);
    return out.flatMap((l) => (l.addr_info ?? []).map((a: Json) => a.local as string));
  }

  /** MTU of the device of the default route (the underlay the tunnels ride on), else the smallest up device's. */
  private async underlayMtu(): Promise<number> {
    const links = (await this.ipJson(['link', 'show'])).filter((l) => l.ifname !== 'lo' && l.link_type !== 'none');
    const byName = new Map(links.map((l) => [l.ifname as string, Number(l.mtu)]));
    const dflt = (await this.ipJson(['-4', 'route', 'show', 'default']).catch(() => [] as Json[]))[0];
    const viaDefault = dflt?.dev ? byName.get(dflt.dev) : undefined;
    if (viaDefault) return viaDefault;
    const up = links.filter((l) => (l.flags ?? []).includes('UP') && !String(l.ifname).startsWith(TUNNEL_DEVICE_PREFIX)).map((l) => Number(l.mtu));
    return up.length ? Math.min(...up) : 1500;
  }

  public async setSysctl(key: string, value: string): Promise<void> {
    // /proc/sys directly: no procps in the slim images. Read first: in an unprivileged container
    // /proc/sys is read-only, and the value may already be right (pod sysctls, node configuration).
    const file = `/proc/sys/${key.replace(/\./g, '/')}`;
    if ((await readFile(file, 'utf8')).trim() === value) return;
    try {
      await writeFile(file, value);
    } catch (err) {
      throw new Error(`sysctl ${key} must be ${value} and cannot be written here (${(err as Error).message}); set it as a pod sysctl or on the node`);
    }
  }

  private async ipJson(args: string[]): Promise<Json[]> {
    const out = await runCommand(['ip', '-j', ...args]);
    return out.trim() ? JSON.parse(out) : [];
  }

}

function ruleArgs(verb: string, r: MarkRule): string[] {
  return ['rule', verb, 'priority', String(r.priority), 'fwmark', `0x${r.mark.toString(16)}/0x${r.mask.toString(16)}`, 'lookup', String(r.table)];
}

function commandsFor(o: NetOp, tunnelMtu: number): string[][] {
  const ip = (...a: string[]) => ['ip', ...a];
  // IPv6 routes and rules: `ip -6`. Kernel/iproute2 quirk: `ip -batch` takes no options per line ("Object -6 is
  // unknown"), and a rule's family does not follow a `from ::/0` (it lands in IPv4): they go through `ip -6 -batch -`.
  const ip6 = (...a: string[]) => ['ip6', ...a];
  const bridge = (...a: string[]) => ['bridge', ...a];
  switch (o.op) {
    case 'add-link': {
      const l = o.link;
      // No lower device, so the kernel would give the tunnel MTU 1500 whatever the underlay: size it to the
      // underlay minus VXLAN's 50 bytes of headers instead.
      return [ip('link', 'add', l.name, ...(l.mac ? ['address', l.mac] : []), 'type', 'vxlan', 'id', String(l.vni),
        'dstport', String(l.port), ...(l.learningAgeing ? ['learning', 'ageing', String(l.learningAgeing)] : ['nolearning'])),
      ...(l.address ? [ip('addr', 'add', `${l.address}/32`, 'dev', l.name, 'scope', 'link')] : []), ip('link', 'set', l.name, 'mtu', String(tunnelMtu), 'up')];
    }
    case 'del-link': return [ip('link', 'del', o.name)];
    case 'set-neighbor': return [ip('neigh', 'replace', o.neighbor.ip, 'lladdr', o.neighbor.mac, 'dev', o.neighbor.dev, 'nud', 'permanent')];
    case 'del-neighbor': return [ip('neigh', 'del', o.neighbor.ip, 'dev', o.neighbor.dev)];
    case 'set-fdb': return [bridge('fdb', 'replace', o.fdb.mac, 'dev', o.fdb.dev, 'dst', o.fdb.dst, 'self', 'permanent')];
    case 'del-fdb': return [bridge('fdb', 'del', o.fdb.mac, 'dev', o.fdb.dev, 'dst', o.fdb.dst, 'self')];
    case 'set-nexthop': return [ip('nexthop', 'replace', 'id', String(o.nexthop.id), 'via', o.nexthop.via, 'dev', o.nexthop.dev, 'onlink')];
    case 'del-nexthop': return [ip('nexthop', 'del', 'id', String(o.id))];
    case 'set-group':
      // Resilient group: a member leaving only moves its own buckets; idle_timer lets buckets of
      // a rejoining member migrate once idle, unbalanced_timer forces it after 30 s.
      return [ip('nexthop', 'replace', 'id', String(o.group.id), 'group', o.group.members.join('/'), 'type', 'resilient',
        'buckets', String(o.group.buckets), 'idle_timer', '1', 'unbalanced_timer', '30')];
    case 'set-route': {
      const r = o.route;
      const tail = ['table', String(r.table)];
      const fam = r.family === 6 ? ip6 : ip;
      if (r.kind === 'blackhole') return [fam('route', 'replace', 'blackhole', 'default', ...tail)];
      if (r.kind === 'group') return [fam('route', 'replace', 'default', 'nhid', String(r.nhid), ...tail)];
      return [fam('route', 'replace', 'default', 'via', r.via, 'dev', r.dev, 'onlink', ...tail)];
    }
    // Not `ip route flush table`: iproute2 6.1 fails it with EINVAL when the route uses a nexthop object.
    case 'del-route': return [(o.family === 6 ? ip6 : ip)('route', 'del', 'default', 'table', String(o.table))];
    case 'add-rule': return [(o.rule.family === 6 ? ip6 : ip)(...ruleArgs('add', o.rule))];
    case 'del-rule': return [(o.rule.family === 6 ? ip6 : ip)(...ruleArgs('del', o.rule))];
  }
}
