/**
 * The dual-stack gateway lab's checks (dual-stack.lab.test.ts): flows that did not move, Felix's drop counters per
 * family, which replica carries a pod's IPv6 flows, whether the node's resilient groups have spread their buckets.
 */
import { spawnSync } from 'child_process';
import { LAB_DEFAULT_POOL_V6, LAB_NODE_CIDR_V6 } from '../dual-stack-lab';
import { ExternalCounter, Lab, LAB_DEFAULT_POOL, LabPod, nsRun } from '../lab';
import { FlowStats, Replica, UDP_PORT } from './gateway-lab';
import { TcpStats } from './gateway-traffic';

/** Every UDP flow stayed on one replica and got its echoes; every TCP connection kept going. */
export function expectNoFlowMoved(flows: FlowStats[], connections: TcpStats[]): void {
  for (const f of flows) {
    expect(f.egress).toHaveLength(1);
    expect(f.received).toBeGreaterThan(f.sent * 0.9);
  }
  for (const c of connections) {
    expect(c.error).toBeUndefined();
    expect(c.echoes).toBe(c.sent);
  }
}

/**
 * Packets Felix's workload anti-spoofing (`fib saddr . mark . iif oif 0 ... drop`) and conntrack-invalid drop rules
 * counted, per family (its `ip` and `ip6` tables).
 */
export function felixDrops(netns: string): Record<'ip' | 'ip6', { spoofed: number; invalid: number }> {
  const tables = nsRun(netns, ['nft', 'list', 'ruleset']).split(/^(?=table )/m);
  const of = (family: string) => {
    const rules = tables.filter((t) => t.startsWith(`table ${family} calico`)).join('\n').split('\n').filter((l) => / drop/.test(l) && /counter packets/.test(l));
    // The checks are there in both families (Calico's defaults), so a 0 below is a count, not an absence.
    expect(rules.filter((l) => /ct state invalid/.test(l)).length).toBeGreaterThan(0);
    const sum = (re: RegExp) => rules.filter((l) => re.test(l)).reduce((a, l) => a + Number(/counter packets (\d+)/.exec(l)![1]), 0);
    return { spoofed: sum(/fib saddr/), invalid: sum(/ct state invalid/) };
  };
  return { ip: of('ip'), ip6: of('ip6') };
}

/** Whether a replica carries the pod's IPv6 UDP flows right now (its conntrack). */
export function carries6(r: Replica, from: LabPod): boolean {
  return spawnSync('ip', ['netns', 'exec', r.pod.netns, 'conntrack', '-L', '-f', 'ipv6', '-p', 'udp', '--dport', String(UDP_PORT), '-s', from.ip6!],
    { encoding: 'utf8' }).stdout.trim().length > 0;
}

/**
 * Whether every resilient nexthop group on the node has buckets on each of its members. A member that rejoins (a
 * replaced replica) gets buckets only once they have been idle for the group's idle_timer, so right after "ready" the
 * new flows of one family may all still hash to the other replica.
 */
export function bucketsSpread(netns: string): boolean {
  const groups = JSON.parse(nsRun(netns, ['ip', '-j', 'nexthop', 'show']) || '[]').filter((n: any) => n.type === 'resilient' && n.group?.length > 1);
  return groups.every((g: any) => {
    const buckets = JSON.parse(nsRun(netns, ['ip', '-j', 'nexthop', 'bucket', 'show', 'id', String(g.id)]) || '[]');
    const used = new Set(buckets.map((b: any) => b.bucket?.nhid));
    return g.group.every((m: any) => used.has(m.id));
  });
}

/**
 * Counters at the external side for TCP and UDP from a cluster range of either family (leaks: none may ever arrive),
 * and for ICMP from the nodes' addresses (a node's "unreachable" for a killed replica's egress IP: counted, not leaks).
 */
export function clusterRangeCounters(lab: Lab): { leaks: Record<string, ExternalCounter>; icmp: Record<string, ExternalCounter> } {
  const leaks: Record<string, ExternalCounter> = {};
  for (const proto of ['tcp', 'udp'] as const) {
    leaks[`v4 pods ${proto}`] = lab.externalCounter({ saddr: LAB_DEFAULT_POOL, proto });
    leaks[`v4 nodes ${proto}`] = lab.externalCounter({ saddr: '192.0.2.0/26', proto });
    leaks[`v6 pods ${proto}`] = lab.externalCounter({ saddr: LAB_DEFAULT_POOL_V6, proto });
    leaks[`v6 nodes ${proto}`] = lab.externalCounter({ saddr: LAB_NODE_CIDR_V6, proto });
  }
  const icmp = {
    v4: lab.externalCounter({ saddr: '192.0.2.0/26', proto: 'icmp' }),
    v6: lab.externalCounter({ saddr: LAB_NODE_CIDR_V6, proto: 'ipv6-icmp' }),
  };
  return { leaks, icmp };
}
