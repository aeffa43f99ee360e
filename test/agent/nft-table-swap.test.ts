import { elementsIn } from './fake-kernel';
import { renderGatewayRuleset } from '../../src/agent/gateway/gateway-ruleset';
import { NftRuleset, NftTableObjects, objectsOf, planTableSwap, TableSwap } from '../../src/agent/shared/nft-table-swap';
import { parseDataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

const probe = { port: 9440, replyTo: ['198.18.0.0/16', '10.201.0.0/16'] };
const T = 'inet cdk8s_egress_gw';

const zones = parseDataPathConfig(validDocument()).zones.filter((z) => z.gateway === 'gw');
/** The gateway's table with zone 1's allow-list replaced (entries as the parser returns them: canonical CIDRs). */
function ruleset(allow: any[], egressIp = '198.19.100.1') {
  return renderGatewayRuleset([{ ...zones[0], allow }, ...zones.slice(1)], egressIp, probe);
}
const lines = (s: string | undefined) => (s ?? '').split('\n').filter(Boolean);
/** What the kernel holds once `swap` ran on a table holding `before`. */
function after(before: NftTableObjects | undefined, swap: TableSwap): NftTableObjects {
  const deleted = (kind: string) => lines(swap.swap).filter((l) => l.startsWith(`delete ${kind} ${T} `)).map((l) => l.split(' ').pop()!);
  const declared = (re: RegExp) => [...`${swap.stage ?? ''}\n${swap.swap}`.matchAll(re)].map((m) => m[1]);
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  return {
    sets: union(before?.sets ?? [], declared(/^ {2}(?:set|map) (\S+) \{/gm)).filter((s) => !deleted('set').includes(s)),
    chains: union(before?.chains ?? [], declared(/^ {2}chain (\S+) \{/gm)).filter((s) => !deleted('chain').includes(s)),
    counters: union(before?.counters ?? [], declared(/^ {2}counter (\S+) \{/gm)).filter((s) => !deleted('counter').includes(s)),
  };
}
const elementsSent = (s: TableSwap) => elementsIn(`${s.stage ?? ''}\n${s.swap}`);
const filler = (i: number) => ({ cidr: `100.${64 + Math.floor(i / 256)}.${i % 256}.0/24`, protocol: 'tcp', ports: ['443'] });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('planTableSwap', () => {
  const base = [{ cidr: '198.19.0.10/32', protocol: 'tcp', ports: ['443'] }, { cidr: '198.19.1.0/24', protocol: 'any', ports: [] }];

  test('first load: every set is filled by a transaction of its own, before any rule refers to it', () => {
    const r = ruleset(base);
    const s = planTableSwap(r, undefined, undefined)!;
    expect(s.staged.sort()).toEqual([...r.sets.keys()].sort());
    expect(s.edited).toEqual([]);
    expect(s.stage).toMatch(/map z1_l32_g1 \{\n\s+type ipv4_addr : verdict\n\s+elements = \{ 198\.19\.0\.10 : jump z1_c_[0-9a-f]{12} \}/);
    // The chains the maps jump to exist before the maps (declared empty; the switch fills them).
    const chain = /jump (z1_c_[0-9a-f]{12})/.exec(s.stage!)![1];
    expect(s.stage!.indexOf(`chain ${chain} {`)).toBeLessThan(s.stage!.indexOf('map z1_l32_g1'));
    expect(lines(s.stage).filter((l) => /^\s+(tcp|meta|counter|ip) /.test(l))).toEqual([]);
    // The switch carries no set and no element: nothing in it waits for a set's commit step.
    expect(s.swap).not.toMatch(/\b(set|map) \S+ \{|elements/);
    expect(s.swap).toContain('ip daddr vmap @z1_l32_g1');
    expect(s.swap).toContain('ip daddr & 255.255.255.0 vmap @z1_l24_g1');
    expect(s.swap).not.toMatch(/^(flush|delete) /m);
  });

  test('an allow-list change edits the map it touches in place, in the switch transaction; nothing is rebuilt', () => {
    const a = ruleset(base);
    const first = planTableSwap(a, undefined, undefined)!;
    const kernel = after(undefined, first);
    const b = ruleset([base[0], { cidr: '198.19.2.0/24', protocol: 'tcp', ports: ['8000-8080'] }, base[1]]);
    const s = planTableSwap(b, kernel, first.applied)!;
    expect(s.stage).toBeUndefined();
    expect([s.staged, s.edited, s.added, s.removed]).toEqual([[], ['z1_l24'], 1, 0]);
    const edits = lines(s.swap).filter((l) => / element /.test(l));
    expect(edits).toEqual([expect.stringMatching(new RegExp(`^add element ${T} z1_l24_g1 \\{ 198\\.19\\.2\\.0 : jump z1_c_[0-9a-f]{12} \\}$`))]);
    // The element statement follows the chains' declaration (the new class chain exists when the entry is added).
    const newChain = /jump (z1_c_[0-9a-f]{12})/.exec(edits[0])![1];
    expect(s.swap.indexOf(`chain ${newChain} {`)).toBeLessThan(s.swap.indexOf(edits[0]));
    expect(s.swap).toContain('@z1_l24_g1');
    // Chains are flushed and declared again, never deleted while wanted (map entries jump to them); counters are kept.
    const ops = lines(s.swap);
    expect(ops.filter((l) => l.startsWith('flush chain')).length).toBe(kernel.chains.length);
    expect(ops.filter((l) => /^delete (chain|counter|set)/.test(l))).toEqual([]);
    // The same content again is nothing to do; back to `a` deletes the entry and its class chain, after the entry.
    const kernel2 = after(kernel, s);
    expect(planTableSwap(b, kernel2, s.applied)).toBeUndefined();
    const back = planTableSwap(a, kernel2, s.applied)!;
    const backOps = lines(back.swap);
    expect(backOps).toContain(`delete element ${T} z1_l24_g1 { 198.19.2.0 }`);
    expect(backOps).toContain(`delete chain ${T} ${newChain}`);
    expect(backOps.indexOf(`delete element ${T} z1_l24_g1 { 198.19.2.0 }`)).toBeLessThan(backOps.indexOf(`delete chain ${T} ${newChain}`));
    // A whole prefix length gone: its map is deleted and its entries count as removed.
    const noLen24 = planTableSwap(ruleset([base[0]]), kernel2, s.applied)!;
    expect([noLen24.removed, lines(noLen24.swap).filter((l) => l.startsWith('delete set'))]).toEqual([2, [`delete set ${T} z1_l24_g1`]]);
  });

  test('100 successive -100/+100 changes of a 2,000-prefix list: each sends the kernel 200 elements and rebuilds nothing', () => {
    const list = (k: number) => [...range(100, 1_800), ...range(20_000 + 100 * k, 100)].map(filler);
    const load = planTableSwap(ruleset(range(0, 1_900).map(filler)), undefined, undefined)!;
    expect(elementsSent(load)).toBeGreaterThanOrEqual(1_900);
    let applied = load.applied;
    let kernel = after(undefined, load);
    const sent: number[] = [];
    const swapBytes: number[] = [];
    for (let k = 0; k < 100; k++) {
      const s = planTableSwap(ruleset(list(k)), kernel, applied)!;
      expect([s.staged, s.edited, s.stage]).toEqual([[], ['z1_l24'], undefined]);
      expect([s.added, s.removed]).toEqual([100, 100]);
      sent.push(elementsSent(s));
      swapBytes.push(s.swap.length - lines(s.swap).filter((l) => / element /.test(l)).join('\n').length);
      kernel = after(kernel, s);
      applied = s.applied;
    }
    // The first change removes 100 of the original prefixes, every later one the 100 the change before added.
    expect(new Set(sent)).toEqual(new Set([200]));
    // Besides the elements, the switch is the chains, the same every time: no growth with the number of changes.
    expect(new Set(swapBytes).size).toBe(1);
    expect(kernel.sets.filter((n) => n.startsWith('z1_l24'))).toEqual(['z1_l24_g1']);
  });

  test('an interval set that changed is rebuilt beside the running one and the old one deleted after the switch', () => {
    const withReply = (replyTo: string[]): NftRuleset => {
      const doc = validDocument();
      return renderGatewayRuleset(parseDataPathConfig(doc).zones.filter((z) => z.gateway === 'gw'), '198.19.100.1', { port: 9440, replyTo });
    };
    const first = planTableSwap(withReply(probe.replyTo), undefined, undefined)!;
    const s = planTableSwap(withReply(['198.18.0.0/16']), after(undefined, first), first.applied)!;
    expect(s.staged).toEqual(['probe_reply']);
    expect(lines(s.stage).filter((l) => /^ {2}(set|map) /.test(l))).toEqual(['  set probe_reply_g2 {']);
    expect(s.swap).toContain('ip daddr @probe_reply_g2 udp dport 9440');
    expect(lines(s.swap).filter((l) => l.startsWith('delete set'))).toEqual([`delete set ${T} probe_reply_g1`]);
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
    expect(s.stage).toContain('map z1_l32_g5 {'); // above every generation the kernel holds
    const ops = lines(s.swap);
    expect(ops.filter((l) => l.startsWith('delete set')).map((l) => l.split(' ').pop()).sort()).toEqual([...old.sets].sort());
    // Chains still wanted are flushed and filled again; only zone 9's is deleted, after every flush.
    expect(ops.filter((l) => l.startsWith('flush chain')).length).toBe(4);
    expect(ops.filter((l) => l.startsWith('delete chain'))).toEqual([`delete chain ${T} zone_9`]);
    expect(ops.filter((l) => l.startsWith('delete counter'))).toEqual([`delete counter ${T} z9_allowed`, `delete counter ${T} z9_dropped`]);
    const k = after(old, s);
    expect(k.counters.sort()).toEqual([...r.counters].sort());
    expect(k.sets.sort()).toEqual([...r.sets.keys()].map((n) => `${n}_g5`).sort());
    expect(k.chains.sort()).toEqual([...r.chains].sort());
  });

  test('a set the kernel no longer holds is rebuilt even when its content is known', () => {
    const r = ruleset(base);
    const first = planTableSwap(r, undefined, undefined)!;
    const kernel = after(undefined, first);
    const s = planTableSwap(r, { ...kernel, sets: kernel.sets.filter((n) => n !== 'z1_l24_g1') }, first.applied)!;
    expect(s.staged).toEqual(['z1_l24']);
  });

  test('anything but set elements (egress IP) rewrites the chains without touching a set', () => {
    const a = ruleset(base);
    const first = planTableSwap(a, undefined, undefined)!;
    const s = planTableSwap(ruleset(base, '198.19.100.2'), after(undefined, first), first.applied)!;
    expect(s.stage).toBeUndefined();
    expect(s.edited).toEqual([]);
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
    expect([o.chains.sort(), o.sets.sort(), o.counters.sort()]).toEqual([k.chains.sort(), k.sets.sort(), k.counters.sort()]);
    expect(o.chains).toEqual(expect.arrayContaining(['zone_1', 'forward', 'postrouting']));
  });
});
