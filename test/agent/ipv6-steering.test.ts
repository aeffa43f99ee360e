import { FakeKernel } from './fake-kernel';
import { computeGatewayDesired } from '../../src/agent/gateway/gateway-desired-state';
import { renderReplyTunnel } from '../../src/agent/gateway/reply-tunnel';
import { FIRST_PIN, markValue } from '../../src/agent/node/mark-layout';
import { computeNodeDesired, nodeOwnership, retiredPinRedirects, slotsFromKernel } from '../../src/agent/node/node-desired-state';
import { NODE_NFT_TABLE } from '../../src/agent/node/node-ruleset';
import { ReplicaHealth, ReplicaView } from '../../src/agent/node/replica-health';
import { staleConntrackEntries } from '../../src/agent/node/stale-conntrack';
import { planNetChanges } from '../../src/agent/shared/net-plan';
import { objectsOf, planTableSwap } from '../../src/agent/shared/nft-table-swap';
import { tunnelNextHopV6 } from '../../src/agent/shared/tunnel-ipv6';
import { parseDataPathConfig } from '../../src/datapath';
import { v2Document, validDocument } from '../datapath/data-path-fixture';

const config = parseDataPathConfig(v2Document());
const n = config.node;
const pods = [{ ip: '10.201.1.10', zone: 'payments' }, { ip: 'fd00:10:201::10', zone: 'payments' }, { ip: 'fd00:10:201::20', zone: 'open' }];
/** Replicas, each as [IPv4 health, IPv6 health]. */
const replicas = (...h: Array<[ReplicaHealth, ReplicaHealth]>): ReplicaView[] =>
  h.map(([health, healthV6], i) => ({ gateway: 'gw', ip: `10.201.100.${11 + i}`, health, healthV6 }));
const compute = (r: ReplicaView[], previousSlots = new Map<string, number>()) => computeNodeDesired(config, { pods, replicas: r, previousSlots });
/** The lines of one chain of a ruleset. */
const chainOf = (nft: string, name: string) => {
  const lines = nft.split('\n');
  const start = lines.indexOf(`  chain ${name} {`);
  return lines.slice(start + 1, lines.indexOf('  }', start)).map((l) => l.trim());
};
const v6 = (d: ReturnType<typeof compute>) => ({
  routes: d.net.routes.filter((r) => r.family === 6),
  rules: d.net.rules.filter((r) => r.family === 6),
});

describe('node agent: IPv6 steering (version 2, IPv4 underlay)', () => {
  test('each replica gets a derived link-local next hop on the zone\'s tunnel (its tunnel MAC), an IPv6 member, group, tables and rules with the IPv4 marks', () => {
    const d = compute(replicas(['ready', 'ready'], ['ready', 'ready']));
    expect(tunnelNextHopV6('10.201.100.11')).toBe('fe80::6567:ac9:640b');
    expect(d.net.neighbors).toContainEqual({ dev: 'egz4101', ip: 'fe80::6567:ac9:640b', mac: '02:65:0a:c9:64:0b' });
    const group = d.net.groups.find((g) => g.id === n.nexthopIdBase + 512 + 1)!;
    expect(group.members).toHaveLength(2);
    expect(d.net.nexthops.filter((x) => group.members.includes(x.id)).map((x) => x.via).sort()).toEqual(['fe80::6567:ac9:640b', 'fe80::6567:ac9:640c']);
    const { routes, rules } = v6(d);
    expect(routes).toContainEqual({ table: n.routeTableBase + 1, kind: 'group', nhid: group.id, family: 6 });
    const pin = d.slots.find((s) => s.zone.name === 'payments' && s.ip === '10.201.100.11')!;
    expect(routes).toContainEqual({ table: n.routeTableBase + 256 + pin.slot, kind: 'via', via: 'fe80::6567:ac9:640b', dev: 'egz4101', family: 6 });
    expect(rules).toContainEqual({ priority: n.rulePriority, mark: markValue(config, 1), mask: n.markMask, table: n.routeTableBase + 1, family: 6 });
    const pinTable = n.routeTableBase + 256 + pin.slot;
    const pinMark = markValue(config, FIRST_PIN + pin.slot);
    expect(rules).toContainEqual({ priority: n.rulePriority, mark: pinMark, mask: n.markMask, table: pinTable, family: 6 });
    // The IPv4 steering is what it was: its group, zone route and pins.
    expect(d.net.routes).toContainEqual({ table: n.routeTableBase + 1, kind: 'group', nhid: n.nexthopIdBase + 1 });
  });

  test('the table: IPv6 pods, cluster ranges, direct destinations and pins in IPv6 sets and maps; IPv4 sets stay IPv4', () => {
    const { ruleset } = compute(replicas(['ready', 'ready'], ['ready', 'ready']));
    const body = ruleset.body((s) => `@${s}`);
    expect(ruleset.sets.get('pod_zone6')).toEqual({ type: 'ipv6_addr : verdict', interval: false, elements: ['fd00:10:201::10 : jump zone_1', 'fd00:10:201::20 : jump zone_2'] });
    expect(ruleset.sets.get('cluster6')).toEqual({ type: 'ipv6_addr', interval: true, elements: ['fd00:10:201::/56', 'fd00:198:18::/64'] });
    expect(ruleset.sets.get('nogw6_1')).toEqual({ type: 'ipv6_addr', interval: true, elements: ['2001:db8:200::/48'] });
    expect(body).toContain('ip6 daddr @nogw6_1 return');
    expect(ruleset.sets.get('pins_out6')!.elements.some((x) => x.startsWith('"egz4101" . fe80::6567:ac9:640b : jump pinout_'))).toBe(true);
    expect(body).toContain('oifname . rt ip6 nexthop vmap @pins_out6');
    expect(body).toContain('oifname @tunnels snat ip6 to ip6 saddr');
    expect(body).toContain('ip6 saddr vmap @pod_zone6');
    // The IPv4 map and sets hold IPv4 only.
    expect(ruleset.sets.get('pod_zone')!.elements).toEqual(['10.201.1.10 : jump zone_1']);
    expect(ruleset.sets.get('nogw_1')).toEqual({ type: 'ipv4_addr', interval: true, elements: ['203.0.113.0/24'] });
    expect(ruleset.sets.get('cluster')!.elements.some((x) => x.includes(':'))).toBe(false);
  });

  test('the IPv6 sets are planned like the IPv4 ones: a new IPv6 pod is an in-place edit of pod_zone6, nothing rebuilt', () => {
    const first = compute(replicas(['ready', 'ready'], ['ready', 'ready']));
    const applied = planTableSwap(first.ruleset, undefined, undefined)!;
    const more = computeNodeDesired(config, { pods: [...pods, { ip: 'fd00:10:201::30', zone: 'payments' }], replicas: replicas(['ready', 'ready'], ['ready', 'ready']), previousSlots: new Map(first.slots.map((x) => [`${x.vni}|${x.ip}`, x.slot])) });
    const swap = planTableSwap(more.ruleset, objectsOf(applied.applied), applied.applied)!;
    expect([swap.staged, swap.edited, swap.added, swap.removed]).toEqual([[], ['pod_zone6'], 1, 0]);
    expect(swap.swap).toContain(`add element inet ${NODE_NFT_TABLE} pod_zone6_g1 { fd00:10:201::30 : jump zone_1 }`);
  });

  test('failover per family: a replica that stops forwarding IPv6 leaves the IPv6 group only, its IPv6 pins move to the survivors', () => {
    const d = compute(replicas(['ready', 'ready'], ['ready', 'dead']));
    expect(d.net.groups.find((g) => g.id === n.nexthopIdBase + 1)!.members).toHaveLength(2);
    const g6 = d.net.groups.find((g) => g.id === n.nexthopIdBase + 512 + 1)!;
    expect(g6.members).toHaveLength(1);
    const pin = d.slots.find((s) => s.zone.name === 'payments' && s.ip === '10.201.100.12')!;
    expect(v6(d).routes).toContainEqual({ table: n.routeTableBase + 256 + pin.slot, kind: 'group', nhid: g6.id, family: 6 });
    expect(d.net.routes).toContainEqual({ table: n.routeTableBase + 256 + pin.slot, kind: 'via', via: '10.201.100.12', dev: 'egz4101' });
  });

  test('and the other way round: alive for IPv6 only, the replica keeps its slot; its IPv4 pins go to the IPv4 group', () => {
    const d = compute(replicas(['ready', 'ready'], ['dead', 'ready']));
    const pin = d.slots.find((s) => s.zone.name === 'payments' && s.ip === '10.201.100.12')!;
    expect(pin.dead4).toBe(true);
    expect(d.net.routes).toContainEqual({ table: n.routeTableBase + 256 + pin.slot, kind: 'group', nhid: n.nexthopIdBase + 1 });
    expect(d.net.groups.find((g) => g.id === n.nexthopIdBase + 512 + 1)!.members).toHaveLength(2);
  });

  test('no replica forwards IPv6: the fail-closed zone blackholes IPv6 only; the fail-open zone lets IPv6 leave directly, IPv4 still steered', () => {
    const d = compute(replicas(['ready', 'dead'], ['ready', 'dead']));
    expect(v6(d).routes).toContainEqual({ table: n.routeTableBase + 1, kind: 'blackhole', family: 6 });
    expect(d.net.routes).toContainEqual({ table: n.routeTableBase + 1, kind: 'group', nhid: n.nexthopIdBase + 1 });
    // Zone 2 ("open") fails open: no IPv6 route in its table, and its chain returns IPv6 before marking.
    expect(v6(d).routes.filter((r) => r.table === n.routeTableBase + 2)).toEqual([]);
    const chain = chainOf(d.ruleset.body((s) => `@${s}`), 'zone_2');
    expect(chain).toContain('meta nfproto ipv6 return');
    expect(chain[chain.length - 1]).toMatch(/^meta mark set/);
    expect(chain).not.toContain('meta nfproto ipv4 return');
  });

  test('applied through the fake kernel: both families\' routes of one table coexist, a second plan is empty, stale IPv6 pins are redirected first', async () => {
    const k = new FakeKernel();
    const first = compute(replicas(['ready', 'ready'], ['ready', 'ready']));
    const plan = planNetChanges(k.net, first.net);
    await k.applyNet([...plan.add, ...plan.remove]);
    const t1 = k.net.routes.filter((r) => r.table === n.routeTableBase + 1);
    expect(t1.map((r) => r.family ?? 4).sort()).toEqual([4, 6]);
    expect(planNetChanges(await k.readNet(nodeOwnership(config)), first.net)).toEqual({ add: [], remove: [] });
    // The kernel's slots come back from the IPv4 pin tables only.
    expect([...slotsFromKernel(config, k.net).keys()].every((key) => !key.includes('fe80'))).toBe(true);
    // The second replica is gone in both families: its IPv6 pin tables move to the IPv6 group before anything is removed.
    const next = compute(replicas(['ready', 'ready'], ['dead', 'dead']), slotsFromKernel(config, k.net));
    const redirects = retiredPinRedirects(config, k.net, next.net);
    const g6 = n.nexthopIdBase + 512 + 1;
    expect(redirects.filter((o) => o.op === 'set-route' && o.route.family === 6 && o.route.kind === 'group' && o.route.nhid === g6)).toHaveLength(1);
    // Back to a version-1 document (IPv6 range removed): every IPv6 route, rule, nexthop and neighbour goes, IPv4 stays.
    const v1 = parseDataPathConfig(validDocument());
    const back = planNetChanges(k.net, computeNodeDesired(v1, { pods, replicas: replicas(['ready', 'ready'], ['ready', 'ready']), previousSlots: slotsFromKernel(v1, k.net) }).net);
    await k.applyNet([...back.add, ...back.remove]);
    expect(k.net.routes.filter((r) => r.family === 6)).toEqual([]);
    expect(k.net.rules.filter((r) => r.family === 6)).toEqual([]);
    expect(k.net.neighbors.filter((x) => x.ip.includes(':'))).toEqual([]);
    expect(k.net.routes.filter((r) => r.table === n.routeTableBase + 1)).toEqual([{ table: n.routeTableBase + 1, kind: 'group', nhid: n.nexthopIdBase + 1 }]);
  });

  test('first sync: a zone pod\'s IPv6 flow without a live pin is flushed, a pinned one and an in-cluster one are kept', () => {
    const d = compute(replicas(['ready', 'ready'], ['ready', 'ready']));
    const pin = d.slots.find((s) => s.zone.name === 'payments')!;
    const entry = (dst: string, mark: number) => ({ protocol: 'udp', src: 'fd00:10:201::10', dst, sport: 4000, dport: 9000, replySrc: dst, replyDst: 'fd00:10:201::10', replyDport: 4000, mark });
    const stale = entry('2001:db8:100::1', 0);
    const pinned = entry('2001:db8:100::2', markValue(config, FIRST_PIN + pin.slot));
    const inCluster = entry('fd00:10:201::99', 0);
    expect(staleConntrackEntries(config, pods, d.slots, [stale, pinned, inCluster])).toEqual([stale]);
  });

  test('a version-1 document renders no IPv6 at all (the IPv4-only agents\' tables, unchanged)', () => {
    const v1 = parseDataPathConfig(validDocument());
    const d = computeNodeDesired(v1, { pods: [{ ip: '10.201.1.10', zone: 'payments' }], replicas: replicas(['ready', 'ready'], ['ready', 'ready']), previousSlots: new Map() });
    expect(d.ruleset.body((s) => `@${s}`)).not.toMatch(/ip6|ipv6/);
    expect([...d.ruleset.sets.values()].some((x) => x.type.includes('ipv6'))).toBe(false);
    expect(d.net.routes.some((r) => r.family === 6) || d.net.rules.some((r) => r.family === 6)).toBe(false);
  });
});

describe('gateway agent: IPv6 SNAT and the tunnel return', () => {
  const observed = { podIp: '10.201.100.11', localAddresses: ['10.201.100.11', '198.19.100.1', '2001:db8:e::1'] };

  test('IPv6 allow-list sets beside the IPv4 ones, in the zone\'s one chain; SNAT to the held IPv6 egress IP', () => {
    const d = computeGatewayDesired(config, 'gw', observed);
    expect(d.egressIp).toBe('198.19.100.1');
    expect(d.egressIp6).toBe('2001:db8:e::1');
    // The IPv6 entries in their own per-length map (allow-list-maps.ts), the IPv4 maps without them.
    const map6 = d.ruleset.sets.get('z1_l6_48')!;
    expect(map6.type).toBe('ipv6_addr : verdict');
    expect(map6.elements.map((x) => x.split(' : ')[0])).toEqual(['2001:db8:100::', '2001:db8:101::']);
    expect([...d.ruleset.sets].filter(([k]) => /^z1_l\d+$/.test(k)).every(([, v]) => v.elements.every((x) => !x.split(' : ')[0].includes(':')))).toBe(true);
    expect(d.ruleset.sets.get('probe_reply6')!.elements).toEqual(['fd00:198:18::/64', 'fd00:10:201::/56']);
    const body = d.ruleset.body((s) => `@${s}`);
    const zone = /chain zone_1 \{\n([^}]*)\}/.exec(body)![1].trim().split('\n').map((l) => l.trim());
    expect(zone[zone.length - 1]).toBe('counter name z1_dropped drop');
    expect(zone).toContain('ip6 daddr & ffff:ffff:ffff:: vmap @z1_l6_48');
    const icmp6 = / : jump (\S+)$/.exec(map6.elements[1])![1];
    expect(chainOf(body, icmp6)).toEqual(['meta l4proto ipv6-icmp counter name z1_allowed accept']);
    expect(body).toContain('iifname @tunnels snat ip6 to 2001:db8:e::1');
    expect(body).toContain('iifname @tunnels snat ip to 198.19.100.1');
    expect(body).not.toMatch(/iifname @tunnels drop/);
  });

  test('an IPv6 allow-list change is planned like an IPv4 one: an in-place edit of its map, nothing rebuilt', () => {
    const first = computeGatewayDesired(config, 'gw', observed).ruleset;
    const applied = planTableSwap(first, undefined, undefined)!.applied;
    const doc = v2Document();
    doc.zones[0].allow.push({ cidr: '2001:db8:102::/48', protocol: 'tcp', ports: ['443'] });
    const next = computeGatewayDesired(parseDataPathConfig(doc), 'gw', observed).ruleset;
    const swap = planTableSwap(next, objectsOf(applied), applied)!;
    expect([swap.staged, swap.edited, swap.added, swap.removed]).toEqual([[], ['z1_l6_48'], 1, 0]);
    expect(swap.swap).toMatch(/add element inet cdk8s_egress_gw z1_l6_48_g1 \{ 2001:db8:102:: : jump z1_c_[0-9a-f]{12} \}/);
  });

  test('holding no IPv6 egress IP, the replica forwards no IPv6 (never a pod\'s own address) and still forwards IPv4', () => {
    const d = computeGatewayDesired(config, 'gw', { ...observed, localAddresses: ['10.201.100.11', '198.19.100.1'] });
    const body = d.ruleset.body((s) => `@${s}`);
    expect(body).toContain('meta nfproto ipv6 iifname @tunnels drop');
    expect(body).not.toContain('snat ip6');
    expect(body).toContain('snat ip to 198.19.100.1');
  });

  test('the IPv6 replies: learned pod → node MAC, routed by the zone\'s reply mark into its tunnel towards the IPv6 placeholder', () => {
    const d = computeGatewayDesired(config, 'gw', observed);
    expect(d.reply.nft).toContain('add map netdev cdk8s_egress_gw_reply pod_node6 { type ipv6_addr : ether_addr;');
    expect(d.reply.nft).toContain('add rule netdev cdk8s_egress_gw_reply in_4101 ether type ip6 update @pod_node6 { ip6 saddr : ether saddr }');
    expect(d.reply.nft).toContain('add rule netdev cdk8s_egress_gw_reply out_4101 ether type ip6 ether daddr set ip6 daddr map @pod_node6');
    expect(d.net.routes).toContainEqual({ table: n.routeTableBase + 1, kind: 'via', via: 'fe80::6567:0:1', dev: 'egz4101', family: 6 });
    const mark = markValue(config, 1);
    expect(d.net.rules).toContainEqual({ priority: n.rulePriority, mark, mask: n.markMask, table: n.routeTableBase + 1, family: 6 });
    expect(d.net.neighbors).toContainEqual({ dev: 'egz4101', ip: 'fe80::6567:0:1', mac: '02:65:00:00:00:00' });
    // An IPv4-only gateway's reply tunnel is what it was.
    expect(renderReplyTunnel(config, d.zones, { podIp: observed.podIp, port: 4789 }).nft).not.toContain('ip6');
  });
});
