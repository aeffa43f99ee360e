import { renderGatewayRuleset } from '../../src/agent/gateway/gateway-ruleset';
import { NftTableObjects, objectsOf, planTableSwap } from '../../src/agent/shared/nft-table-swap';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const probe = { port: 9440, replyTo: ['198.18.0.0/16', '10.201.0.0/16'] };
const T = 'inet cdk8s_egress_gw';

function ruleset(allow: any[], egressIp = '198.19.100.1') {
  const doc = validDocument();
  doc.zones[0].allow = allow;
  return renderGatewayRuleset(parseDataPathConfig(doc).zones.filter((z) => z.gateway === 'gw'), egressIp, probe);
}
const lines = (s: string | undefined) => (s ?? '').split('\n').filter(Boolean);
/** What the kernel holds once `swap` ran on a table holding `before`. */
function after(before: NftTableObjects | undefined, swap: ReturnType<typeof planTableSwap>): NftTableObjects {
  const deleted = (kind: string) => lines(swap!.swap).filter((l) => l.startsWith(`delete ${kind} ${T} `)).map((l) => l.split(' ').pop()!);
  const sets = [...(before?.sets ?? []), ...lines(swap!.stage).filter((l) => /^ {2}set /.test(l)).map((l) => l.trim().split(' ')[1])];
  return {
    sets: sets.filter((s) => !deleted('set').includes(s)),
    chains: [...swap!.swap.matchAll(/^ {2}chain (\S+) \{/gm)].map((m) => m[1]),
    counters: [...swap!.swap.matchAll(/^ {2}counter (\S+) \{/gm)].map((m) => m[1]),
  };
}

describe('planTableSwap', () => {
  const base = [{ cidr: '198.19.0.10/32', protocol: 'tcp', ports: ['443'] }, { cidr: '198.19.1.0/24', protocol: 'any', ports: [] }];

  test('first load: every set is filled by a transaction of its own, before any rule refers to it', () => {
    const r = ruleset(base);
    const s = planTableSwap(r, undefined, undefined)!;
    expect(s.staged.sort()).toEqual([...r.sets.keys()].sort());
    expect(s.stage).toContain('set z1_ports_g1 {');
    expect(s.stage).toContain('elements = { 198.19.0.10/32 . tcp . 443 }');
    expect(s.stage).not.toContain('chain');
    // The switch carries no set and no element: nothing in it waits for a set's commit step.
    expect(s.swap).not.toMatch(/\bset \S+ \{|elements/);
    expect(s.swap).toContain('ip daddr . meta l4proto . th dport @z1_ports_g1 counter name z1_allowed accept');
    expect(s.swap).not.toMatch(/^(flush|delete) /m);
  });

  test('an allow-list change rebuilds only the changed set beside the old one and deletes the old one after the switch', () => {
    const a = ruleset(base);
    const first = planTableSwap(a, undefined, undefined)!;
    const kernel = after(undefined, first);
    const b = ruleset([base[0], { cidr: '198.19.2.0/24', protocol: 'tcp', ports: ['8000-8080'] }, base[1]]);
    const s = planTableSwap(b, kernel, first.applied)!;
    expect(s.staged).toEqual(['z1_ports']);
    expect([s.added, s.removed]).toEqual([1, 0]);
    expect(lines(s.stage).filter((l) => /^ {2}set /.test(l))).toEqual(['  set z1_ports_g2 {']);
    expect(s.swap).toContain('@z1_ports_g2');
    expect(s.swap).toContain('@z1_any_g1'); // unchanged sets stay where they are
    expect(lines(s.swap).filter((l) => l.startsWith('delete set'))).toEqual([`delete set ${T} z1_ports_g1`]);
    // Chains are emptied before any is deleted (the vmap's jumps keep the zone chains in use until then).
    const ops = lines(s.swap);
    expect(Math.max(...ops.map((l, i) => (l.startsWith('flush chain') ? i : -1))))
      .toBeLessThan(Math.min(...ops.map((l, i) => (l.startsWith('delete chain') ? i : Infinity))));
    // Counters are declared again, never deleted while wanted: their values survive.
    expect(ops.filter((l) => l.startsWith('delete counter'))).toEqual([]);
    // The next change takes the next generation; the same content again is nothing to do.
    const kernel2 = after(kernel, s);
    expect(kernel2.sets.filter((n) => n.startsWith('z1_ports'))).toEqual(['z1_ports_g2']);
    expect(planTableSwap(b, kernel2, s.applied)).toBeUndefined();
    expect(planTableSwap(a, kernel2, s.applied)!.stage).toContain('set z1_ports_g3 {');
  });

  test('after a restart (nothing known) every set is rebuilt and everything the old table had is replaced; counters kept', () => {
    const r = ruleset(base);
    const old: NftTableObjects = {
      sets: ['z1_ports', 'z1_any', 'z1_icmp', 'probe_reply', 'tunnels', 'z9_ports_g4'],
      chains: ['zone_1', 'zone_9', 'forward', 'postrouting'],
      counters: ['z1_allowed', 'z1_dropped', 'z9_allowed', 'z9_dropped', 'probes'],
    };
    const s = planTableSwap(r, old, undefined)!;
    expect(s.staged.length).toBe(r.sets.size);
    expect(s.stage).toContain('set z1_ports_g5 {'); // above every generation the kernel holds
    const ops = lines(s.swap);
    expect(ops.filter((l) => l.startsWith('delete set')).map((l) => l.split(' ').pop()).sort()).toEqual([...old.sets].sort());
    expect(ops.filter((l) => l.startsWith('delete chain')).length).toBe(4);
    expect(ops.filter((l) => l.startsWith('delete counter'))).toEqual([`delete counter ${T} z9_allowed`, `delete counter ${T} z9_dropped`]);
    const k = after(old, s);
    expect(k.counters.sort()).toEqual([...r.counters].sort());
    expect(k.sets.sort()).toEqual([...r.sets.keys()].map((n) => `${n}_g5`).sort());
  });

  test('a set the kernel no longer holds is rebuilt even when its content is known', () => {
    const r = ruleset(base);
    const first = planTableSwap(r, undefined, undefined)!;
    const kernel = after(undefined, first);
    const s = planTableSwap(r, { ...kernel, sets: kernel.sets.filter((n) => n !== 'z1_any_g1') }, first.applied)!;
    expect(s.staged).toEqual(['z1_any']);
  });

  test('anything but set elements (egress IP) rewrites the chains without rebuilding a set', () => {
    const a = ruleset(base);
    const first = planTableSwap(a, undefined, undefined)!;
    const s = planTableSwap(ruleset(base, '198.19.100.2'), after(undefined, first), first.applied)!;
    expect(s.stage).toBeUndefined();
    expect(s.swap).toContain('snat ip to 198.19.100.2');
  });
});

describe('objectsOf', () => {
  test('what the kernel holds after a swap is what the swap says, without asking the kernel', () => {
    const doc = validDocument();
    const r = renderGatewayRuleset(parseDataPathConfig(doc).zones.filter((z) => z.gateway === 'gw'), '198.19.100.1', probe);
    const s = planTableSwap(r, undefined, undefined)!;
    const o = objectsOf(s.applied);
    const k = after(undefined, s); // read off the transactions' text
    expect([o.chains, o.sets.sort(), o.counters]).toEqual([k.chains, k.sets.sort(), k.counters]);
    expect(o.chains).toEqual(expect.arrayContaining(['zone_1', 'forward', 'postrouting']));
  });
});
