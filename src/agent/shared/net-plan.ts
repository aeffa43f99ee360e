import { MarkRule, NetOp, NetState, routeKey, TableRoute } from './net-state';

/**
 * The changes that turn `current` into `desired`, ordered so traffic never loses a path: everything
 * added or replaced first (links → neighbours/FDB → nexthops → groups → routes → rules), the stale
 * rest removed afterwards in reverse dependency order. Pure.
 *
 * `removeStale` lets the caller apply the additions, swap the nftables ruleset, and only then remove.
 */
export function planNetChanges(current: NetState, desired: NetState): { add: NetOp[]; remove: NetOp[] } {
  const add: NetOp[] = [];
  const remove: NetOp[] = [];
  const key = (o: unknown) => JSON.stringify(o);

  const curLinks = new Map(current.links.map((l) => [l.name, l]));
  const recreated = new Set<string>();
  for (const l of desired.links) {
    const c = curLinks.get(l.name);
    const same = c && c.vni === l.vni && c.port === l.port && (l.mac === undefined || c.mac === l.mac)
      && c.learningAgeing === l.learningAgeing && c.address === l.address;
    if (!same) {
      // VNI and port cannot change in place (kernel quirk: `ip link set type vxlan` rejects them): recreate.
      if (c) {
        add.push({ op: 'del-link', name: l.name });
        recreated.add(l.name);
      }
      add.push({ op: 'add-link', link: l });
    }
  }
  const onRecreated = (dev: string) => recreated.has(dev);

  const curNeigh = new Set(current.neighbors.map(key));
  for (const n of desired.neighbors) if (!curNeigh.has(key(n)) || onRecreated(n.dev)) add.push({ op: 'set-neighbor', neighbor: n });
  const curFdb = new Set(current.fdb.map(key));
  for (const f of desired.fdb) if (!curFdb.has(key(f)) || onRecreated(f.dev)) add.push({ op: 'set-fdb', fdb: f });

  const curNh = new Map(current.nexthops.map((n) => [n.id, n]));
  for (const n of desired.nexthops) {
    if (key(curNh.get(n.id)) !== key(n) || onRecreated(n.dev)) add.push({ op: 'set-nexthop', nexthop: n });
  }
  const curGroups = new Map(current.groups.map((g) => [g.id, g]));
  for (const g of desired.groups) {
    const c = curGroups.get(g.id);
    if (!c || key([...c.members].sort()) !== key([...g.members].sort()) || c.buckets !== g.buckets) {
      // The bucket count of a resilient group is fixed at creation: a different count means delete+add.
      if (c && c.buckets !== g.buckets) add.push({ op: 'del-nexthop', id: g.id });
      add.push({ op: 'set-group', group: g });
    }
  }
  const curRoutes = new Map(current.routes.map((r) => [routeKey(r), r]));
  for (const r of desired.routes) if (key(curRoutes.get(routeKey(r))) !== key(r)) add.push({ op: 'set-route', route: r });
  const ruleKey = (r: MarkRule) => `${r.family ?? 4}/${r.priority}/${r.mark}/${r.mask}/${r.table}`;
  const curRules = new Set(current.rules.map(ruleKey));
  for (const r of desired.rules) if (!curRules.has(ruleKey(r))) add.push({ op: 'add-rule', rule: r });

  // Removals, most dependent first.
  const desRules = new Set(desired.rules.map(ruleKey));
  for (const r of current.rules) if (!desRules.has(ruleKey(r))) remove.push({ op: 'del-rule', rule: r });
  const desTables = new Set(desired.routes.map((r: TableRoute) => routeKey(r)));
  for (const r of current.routes) if (!desTables.has(routeKey(r))) remove.push({ op: 'del-route', table: r.table, ...(r.family ? { family: r.family } : {}) });
  const desGroups = new Set(desired.groups.map((g) => g.id));
  for (const g of current.groups) if (!desGroups.has(g.id)) remove.push({ op: 'del-nexthop', id: g.id });
  const desNh = new Set(desired.nexthops.map((n) => n.id));
  for (const n of current.nexthops) if (!desNh.has(n.id)) remove.push({ op: 'del-nexthop', id: n.id });
  const desNeigh = new Set(desired.neighbors.map(key));
  const desLinks = new Set(desired.links.map((l) => l.name));
  for (const n of current.neighbors) if (!desNeigh.has(key(n)) && desLinks.has(n.dev)) remove.push({ op: 'del-neighbor', neighbor: n });
  const desFdb = new Set(desired.fdb.map(key));
  for (const f of current.fdb) if (!desFdb.has(key(f)) && desLinks.has(f.dev)) remove.push({ op: 'del-fdb', fdb: f });
  for (const l of current.links) if (!desLinks.has(l.name)) remove.push({ op: 'del-link', name: l.name });
  return { add, remove };
}
