import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { answer } from './dns-answer';
import { DnsEnforcer, linuxDnsKernel } from '../../src/agent/node/dns-enforcer';
import { LearnedSets } from '../../src/agent/node/dns-learned-sets';
import { parseDnsMessage, resolveChain, servfailFor } from '../../src/agent/node/dns-message';
import { NftLibrarySession } from '../../src/agent/node/dns-nft-library';
import { NftSession } from '../../src/agent/node/dns-nft-session';
import { DnsProxy } from '../../src/agent/node/dns-proxy';
import { learnedElementsScript, learnedFromKernel, renderDnsRuleset } from '../../src/agent/node/dns-ruleset';
import { DataPathConfig, DATA_PATH_DEFAULTS, parseDataPathConfig } from '../../src/datapath';
import { describeWithTools } from '../exporters/tooling';


export { answer };

describe('DNS messages', () => {
  test('A, AAAA and a CNAME chain, with compression: every address with the smallest TTL along its chain', () => {
    const msg = answer(7, 'API.Stripe.com', [['API.Stripe.com', 'CNAME', 300, 'edge.cdn.net'], ['edge.cdn.net', 'A', 20, '198.51.100.7'],
      ['edge.cdn.net', 'AAAA', 600, '2001:db8:0:0:0:0:0:7'], ['other.net', 'A', 20, '192.0.2.1']]);
    const a = parseDnsMessage(msg);
    expect([a.id, a.response, a.truncated, a.question]).toEqual([7, true, false, 'api.stripe.com']);
    expect(resolveChain(a.records, a.question!)).toEqual({
      names: ['api.stripe.com', 'edge.cdn.net'],
      addresses: [{ ip: '198.51.100.7', ttl: 20 }, { ip: '2001:db8::7', ttl: 300 }],
    });
  });

  test('AAAA addresses as RFC 5952 text (the form nft lists a learned set in): an IPv4-mapped one with its dotted quad', () => {
    const a = parseDnsMessage(answer(2, 'v6.example', [['v6.example', 'AAAA', 60, '0:0:0:0:0:ffff:c000:201'],
      ['v6.example', 'AAAA', 60, '2001:db8:0:0:1:0:0:0'], ['v6.example', 'AAAA', 60, '0:0:0:0:0:0:0:0']]));
    expect(a.records.map((r) => r.data)).toEqual(['::ffff:192.0.2.1', '2001:db8:0:0:1::', '::']);
  });

  test('truncation is read; malformed messages throw instead of half-reading', () => {
    expect(parseDnsMessage(answer(1, 'a.example', [], 0x8380)).truncated).toBe(true);
    const good = answer(1, 'a.example', [['a.example', 'A', 5, '192.0.2.1']]);
    expect(() => parseDnsMessage(good.subarray(0, good.length - 2))).toThrow(/past the end/);
    const loop = Buffer.from(good); loop.writeUInt16BE(0xc00c, 12); // the question's name points at itself
    expect(() => parseDnsMessage(loop)).toThrow(/loops/);
  });

  test('a truncated (TC) answer cut inside a record: the whole records before the cut are read, no error', () => {
    const two = answer(1, 'a.example', [['a.example', 'A', 5, '192.0.2.1'], ['a.example', 'A', 5, '192.0.2.2']], 0x8380);
    const cut = parseDnsMessage(two.subarray(0, two.length - 2));
    expect([cut.truncated, cut.records.map((r) => r.data)]).toEqual([true, ['192.0.2.1']]);
  });

  test('SERVFAIL keeps the id and the question', () => {
    const q = answer(0x1234, 'a.example', [], 0x0100);
    const f = parseDnsMessage(servfailFor(q));
    expect([f.id, f.response, f.rcode, f.question]).toEqual([0x1234, true, 2, 'a.example']);
  });
});

function config(extra: object = {}): DataPathConfig {
  return parseDataPathConfig({
    version: 1,
    cluster: { podCidrs: ['10.244.0.0/16'], serviceCidrs: [], nodeCidrs: [] },
    gateways: [],
    natPools: [],
    node: DATA_PATH_DEFAULTS.node,
    zones: [1, 2].map((id) => ({ name: `z${id}`, id, members: { namespaces: [`z${id}`], matchLabels: {} }, failOpen: false, allow: [], noGateway: [] })),
    domains: {
      proxy: { address: '169.254.101.53', port: 10053 },
      minTtlSeconds: 60,
      maxTtlSeconds: 3600,
      maxAddressesPerName: 2,
      maxAddressesPerZone: 3,
      zones: [{ zone: 'z1', rules: [{ name: 'stripe', patterns: ['*.stripe.com'], protocol: 'tcp', ports: ['443'] }, { name: 'git', patterns: ['github.com'], protocol: 'any', ports: [] }], addresses: ['203.0.113.0/24'] },
        { zone: 'z2', rules: [{ name: 'other', patterns: ['other.example'], protocol: 'udp', ports: [] }], addresses: [] }],
      ...extra,
    },
  });
}

describe('learned sets', () => {
  let now = 1_000_000;
  const sets = () => new LearnedSets(config(), () => now);

  test('a wildcard learns for its rule only; the bare parent and another zone\'s names learn nothing', () => {
    const s = sets();
    expect(s.learn('z1', ['api.stripe.com'], [{ ip: '198.51.100.7', ttl: 1 }])).toEqual([{ set: 'd4_1_0', ip: '198.51.100.7', timeoutSeconds: 65 }]);
    expect(s.learn('z1', ['stripe.com'], [{ ip: '198.51.100.8', ttl: 1 }])).toEqual([]);
    expect(s.learn('z2', ['api.stripe.com'], [{ ip: '198.51.100.9', ttl: 1 }])).toEqual([]);
    expect(s.learn('z1', ['github.com'], [{ ip: '2001:db8::1', ttl: 7200 }])).toEqual([{ set: 'd6_1_1', ip: '2001:db8::1', timeoutSeconds: 3605 }]);
  });

  test('an address held long enough is not re-added; caps per name and per zone are counted', () => {
    const s = sets();
    s.learn('z1', ['a.stripe.com'], [{ ip: '192.0.2.1', ttl: 60 }]);
    expect(s.learn('z1', ['a.stripe.com'], [{ ip: '192.0.2.1', ttl: 60 }])).toEqual([]);
    const three = s.learn('z1', ['b.stripe.com'], ['192.0.2.2', '192.0.2.3', '192.0.2.4'].map((ip) => ({ ip, ttl: 60 })));
    expect(three.map((e) => e.ip)).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(s.capHits).toBe(1);
    expect(s.learn('z1', ['c.stripe.com'], [{ ip: '192.0.2.5', ttl: 60 }])).toEqual([]);
    expect(s.capHits).toBe(2);
    now += 66_000; // everything expired: room again
    expect(s.learn('z1', ['c.stripe.com'], [{ ip: '192.0.2.5', ttl: 60 }]).length).toBe(1);
    expect(s.live().map((e) => e.ip)).toEqual(['192.0.2.5']);
  });

  test('the per-zone cap holds within one answer, and across an answer\'s rules', () => {
    const s = sets();
    s.learn('z1', ['a.stripe.com'], [{ ip: '192.0.2.1', ttl: 60 }, { ip: '192.0.2.2', ttl: 60 }]);
    // One room left in the zone (cap 3): the answer's second new address is left out.
    expect(s.learn('z1', ['b.stripe.com'], [{ ip: '192.0.2.3', ttl: 60 }, { ip: '192.0.2.4', ttl: 60 }]).map((e) => e.ip)).toEqual(['192.0.2.3']);
    expect(s.capHits).toBe(1);
    expect(s.live().map((e) => e.ip).sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });
  test('the zone count follows forgotten and restarted (seeded) entries; an expired entry makes room at the cap', () => {
    const s = sets();
    const two = s.learn('z1', ['a.stripe.com'], [{ ip: '192.0.2.1', ttl: 60 }, { ip: '192.0.2.2', ttl: 60 }]);
    s.seed([{ set: 'd4_1_0', ip: '192.0.2.9', timeoutSeconds: 10 }]);
    expect(s.learn('z1', ['b.stripe.com'], [{ ip: '192.0.2.3', ttl: 60 }])).toEqual([]); // 3 of 3
    s.forget([two[0]]);
    expect(s.learn('z1', ['b.stripe.com'], [{ ip: '192.0.2.3', ttl: 60 }]).map((e) => e.ip)).toEqual(['192.0.2.3']);
    now += 11_000; // the seeded one expired
    expect(s.learn('z1', ['c.stripe.com'], [{ ip: '192.0.2.4', ttl: 60 }]).map((e) => e.ip)).toEqual(['192.0.2.4']);
    expect(s.learn('z1', ['d.stripe.com'], [{ ip: '192.0.2.5', ttl: 60 }])).toEqual([]);
    expect(s.live().map((e) => e.ip).sort()).toEqual(['192.0.2.2', '192.0.2.3', '192.0.2.4']);
  });
});

describe('the DNS table', () => {
  const pods = [{ ip: '10.244.1.5', zone: 'z1' }, { ip: '10.244.1.6', zone: 'z2' }];
  const script = renderDnsRuleset(config(), pods, [{ set: 'd4_1_0', ip: '198.51.100.7', timeoutSeconds: 30 }]);

  test('zone pods\' DNS goes to the proxy; each zone its own chain; the gate looks at new connections only', () => {
    expect(script).toContain('ip saddr @dns_pods meta l4proto { udp, tcp } th dport 53 dnat ip to 169.254.101.53:10053');
    expect(script).toContain('elements = { 10.244.1.5 : jump dz_1, 10.244.1.6 : jump dz_2 }');
    expect(script).toContain('ct state new ip saddr vmap @pod_zone');
    expect(script).toContain('tcp dport { 443 } ip daddr @d4_1_0 return');
    expect(script).toContain('tcp dport { 443 } counter name dropped_1 drop');
    expect(script).toContain('elements = { 198.51.100.7 timeout 30s }');
  });

  describeWithTools('in the kernel', ['nft', 'unshare'], true, () => {
    test('the kernel accepts the table and an element batch (nft in a throw-away network namespace)', () => {
      const r = spawnSync('unshare', ['-n', 'sh', '-c', 'nft -f /dev/stdin <<EOF\n' + script + learnedElementsScript([{ set: 'd4_1_0', ip: '198.51.100.7', timeoutSeconds: 90 }]) + 'EOF\nnft list set inet cdk8s_egress_dns d4_1_0'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/198\.51\.100\.7 timeout 1m30s/);
    });

    test('a restart reads the learned elements back with their remaining time (the kernel\'s JSON)', () => {
      const r = spawnSync('unshare', ['-n', 'sh', '-c', 'nft -f /dev/stdin <<EOF\n' + script + 'EOF\nnft -j list table inet cdk8s_egress_dns'], { encoding: 'utf8' });
      const back = learnedFromKernel(r.stdout);
      expect(back.map((e) => [e.set, e.ip])).toEqual([['d4_1_0', '198.51.100.7']]);
      expect(back[0].timeoutSeconds).toBeGreaterThanOrEqual(28);
      expect(back[0].timeoutSeconds).toBeLessThanOrEqual(30);
    });
  });
});

describe('the proxy holds the answer until the addresses are programmed', () => {
  test('UDP: the pod gets the upstream\'s bytes only after onAnswer resolved; a failed programming is SERVFAIL', async () => {
    const upstream = dgram.createSocket('udp4');
    upstream.on('message', (q, r) => upstream.send(answer(q.readUInt16BE(0), 'api.stripe.com', [['api.stripe.com', 'A', 1, '198.51.100.7']]), r.port, r.address));
    await new Promise<void>((res) => upstream.bind(0, '127.0.0.1', () => res()));
    const events: string[] = [];
    let fail = false;
    const proxy = new DnsProxy({
      address: '127.0.0.1',
      port: 0,
      upstreams: [`127.0.0.1:${upstream.address().port}`],
      onAnswer: async (_pod, names, addrs) => {
        events.push(`programmed ${names[0]} ${addrs.map((a) => a.ip)}`);
        if (fail) throw new Error('nft failed');
      },
    });
    await proxy.start();
    const port = (proxy as any).udp.address().port;
    const ask = async () => {
      const c = dgram.createSocket('udp4');
      const reply = await new Promise<Buffer>((res) => { c.on('message', res); c.send(answer(42, 'api.stripe.com', [], 0x0100), port, '127.0.0.1'); });
      c.close();
      events.push('pod got answer');
      return parseDnsMessage(reply);
    };
    expect((await ask()).rcode).toBe(0);
    fail = true;
    expect((await ask()).rcode).toBe(2);
    expect(events).toEqual(['programmed api.stripe.com 198.51.100.7', 'pod got answer', 'programmed api.stripe.com 198.51.100.7', 'pod got answer']);
    proxy.stop();
    upstream.close();
  });
});

describe('the enforcer programs answers in batches through one queue (group commit)', () => {
  /** A fake kernel: each transaction is recorded and waits for `release`; one holding `poison` fails. */
  function enforcer(fail = false, poison = '192.0.2.66') {
    const scripts: string[] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const nft = async (s: string) => {
      scripts.push(s);
      await gate;
      if (fail) throw new Error('nft: no such set');
      if (s.includes(poison)) throw new Error(`nft: refused ${poison}`);
    };
    const kernel = {
      nft,
      nftElements: (commands: string[]) => nft(commands.join('\n')),
      listTable: async () => undefined,
      ensureProxyAddress: async () => undefined,
      deleteTable: async () => undefined,
    };
    const e = new DnsEnforcer(config(), kernel, []);
    (e as any).podZone = new Map([['10.244.1.5', 'z1'], ['10.244.1.6', 'z2'], ['10.244.1.7', 'z1']]);
    const learn = (pod: string, n: string, ip: string): Promise<void> => (e as any).onAnswer(pod, [n], [{ ip, ttl: 30 }]);
    const open = () => { release(); gate = Promise.resolve(); };
    return { scripts, release: open, learn, e };
  }
  /** Lets the event loop turn until `cond` holds (the flush starts after the current I/O phase). */
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await new Promise(setImmediate);
    expect(cond()).toBe(true);
  };
  const settled = (p: Promise<void>) => { const s = { done: false }; p.then(() => (s.done = true), () => (s.done = true)); return s; };

  test('answers delivered in the same turn of the event loop share one transaction', async () => {
    const { scripts, release, learn } = enforcer();
    release();
    await Promise.all([learn('10.244.1.5', 'a.stripe.com', '192.0.2.1'), learn('10.244.1.5', 'b.stripe.com', '192.0.2.2'), learn('10.244.1.7', 'c.stripe.com', '192.0.2.3')]);
    expect(scripts.length).toBe(1);
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) expect(scripts[0]).toContain(`d4_1_0 { ${ip} timeout 65s }`);
  });

  test('answers arriving while a transaction runs share the next one and wait for it; another zone\'s pod adds nothing', async () => {
    const { scripts, release, learn } = enforcer();
    const first = learn('10.244.1.5', 'a.stripe.com', '192.0.2.1');
    await until(() => scripts.length === 1);
    const later = [learn('10.244.1.5', 'b.stripe.com', '192.0.2.2'), learn('10.244.1.5', 'c.stripe.com', '192.0.2.3'), learn('10.244.1.6', 'd.stripe.com', '192.0.2.4')];
    const b = settled(later[0]);
    await new Promise(setImmediate);
    expect([scripts.length, b.done]).toEqual([1, false]);
    release();
    await Promise.all([first, ...later]);
    expect(scripts.length).toBe(2);
    expect(scripts[0]).toContain('d4_1_0 { 192.0.2.1 timeout 65s }');
    expect(scripts[1]).toContain('192.0.2.2');
    expect(scripts[1]).toContain('192.0.2.3');
    expect(scripts.join('')).not.toContain('192.0.2.4');
  });

  test('an answer whose address another answer\'s transaction is still programming is held until that one commits', async () => {
    const { scripts, release, learn } = enforcer();
    const first = learn('10.244.1.5', 'a.stripe.com', '192.0.2.1');
    await until(() => scripts.length === 1);
    // Another pod of the zone asks for the same name: nothing new to program, but its answer must not go out yet.
    const second = settled(learn('10.244.1.7', 'a.stripe.com', '192.0.2.1'));
    for (let i = 0; i < 5; i++) await new Promise(setImmediate);
    expect([scripts.length, second.done]).toEqual([1, false]);
    release();
    await first;
    await until(() => second.done);
  });

  test('a failed transaction fails exactly the answers whose elements the kernel refused; those are programmed again next time', async () => {
    const { scripts, release, learn } = enforcer();
    release();
    const outcome = (p: Promise<void>) => p.then(() => 'answer', (e: Error) => `SERVFAIL ${e.message}`);
    const held = learn('10.244.1.5', 'a.stripe.com', '192.0.2.1');
    const poisoned = learn('10.244.1.5', 'p.stripe.com', '192.0.2.66');
    // Same address as the refused one, from another pod, while it is being programmed: it waits for it and fails too.
    const sameAddress = learn('10.244.1.7', 'p.stripe.com', '192.0.2.66');
    const bystander = learn('10.244.1.7', 'c.stripe.com', '192.0.2.3');
    expect(await Promise.all([held, poisoned, sameAddress, bystander].map(outcome)))
      .toEqual(['answer', 'SERVFAIL nft: refused 192.0.2.66', 'SERVFAIL nft: refused 192.0.2.66', 'answer']);
    // The batch, then each of its answers alone.
    expect(scripts.length).toBe(4);
    expect(scripts[0]).toMatch(/192\.0\.2\.1 .*192\.0\.2\.66 .*192\.0\.2\.3 /s);
    expect(scripts.slice(1).map((x) => /192\.0\.2\.\d+/.exec(x)![0])).toEqual(['192.0.2.1', '192.0.2.66', '192.0.2.3']);
    // Forgotten, so a later answer tries to program it again (not "held", answered without a kernel write).
    expect(await outcome(learn('10.244.1.5', 'p.stripe.com', '192.0.2.66'))).toMatch(/^SERVFAIL/);
    expect(scripts.length).toBe(5);
    // The programmed ones stay held: no kernel work for them.
    await learn('10.244.1.5', 'a.stripe.com', '192.0.2.1');
    expect(scripts.length).toBe(5);
  });

  test('a failed transaction rejects every answer of its batch when each fails alone too (the proxy turns them into SERVFAIL)', async () => {
    const { release, learn } = enforcer(true);
    const a = learn('10.244.1.5', 'a.stripe.com', '192.0.2.1');
    const b = learn('10.244.1.5', 'b.stripe.com', '192.0.2.2');
    release();
    await expect(a).rejects.toThrow(/no such set/);
    await expect(b).rejects.toThrow(/no such set/);
  });
});

describeWithTools('libnftables in the agent\'s process', ['nft', 'unshare'], true, () => {
  test('one call is one transaction: a bad batch leaves nothing and reports nft\'s error; the next batch works (own netns)', () => {
    // The library acts on the calling process's network namespace: a child in a throw-away one runs it.
    const script = `
      const { NftLibrarySession } = require(${JSON.stringify(`${__dirname}/../../src/agent/node/dns-nft-library`)});
      const { learnedElementCommands } = require(${JSON.stringify(`${__dirname}/../../src/agent/node/dns-ruleset`)});
      const { execFileSync } = require('node:child_process');
      (async () => {
        const s = NftLibrarySession.open();
        if (typeof s === 'string') throw new Error(s);
        const errors = [];
        const run = (c) => s.run(c).catch((e) => errors.push(e.message));
        await run(['add table inet cdk8s_egress_dns', 'add set inet cdk8s_egress_dns d4_1_0 { type ipv4_addr; flags timeout; }']);
        await run(learnedElementCommands([{ set: 'd4_1_0', ip: '192.0.2.1', timeoutSeconds: 60 }]));
        await run(learnedElementCommands([{ set: 'd4_1_0', ip: '192.0.2.1', timeoutSeconds: 90 }]));
        await run(learnedElementCommands([{ set: 'd4_1_0', ip: '192.0.2.2', timeoutSeconds: 60 }, { set: 'd4_1_9', ip: '192.0.2.3', timeoutSeconds: 60 }]));
        await run(learnedElementCommands([{ set: 'd4_1_0', ip: '192.0.2.4', timeoutSeconds: 60 }]));
        s.stop();
        console.log(JSON.stringify({ errors, set: execFileSync('nft', ['list', 'set', 'inet', 'cdk8s_egress_dns', 'd4_1_0'], { encoding: 'utf8' }) }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync('unshare', ['-n', process.execPath, '-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', env: process.env });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.errors.length).toBe(1);
    expect(out.errors[0]).toMatch(/Error: No such file or directory[\s\S]*d4_1_9/);
    expect(out.set).toMatch(/192\.0\.2\.1 timeout 1m30s/);
    expect(out.set).toMatch(/192\.0\.2\.4 timeout 1m/);
    expect(out.set).not.toContain('192.0.2.2'); // all or nothing: its batch failed on the other set
  });

  test('an unloadable library is a reason, not a throw (the agent falls back to nft -i)', () => {
    expect(NftLibrarySession.open('libnftables-missing.so.9')).toMatch(/libnftables-missing/);
  });

  test('the agent programs through the library where it loads; nft -i only when asked (the bench\'s baseline)', () => {
    const run = async () => '';
    expect([linuxDnsKernel(run).elementPath, linuxDnsKernel(run, 'nft-i').elementPath]).toEqual(['libnftables', 'nft -i']);
  });
});

describeWithTools('the long-lived nft session', ['nft', 'unshare'], true, () => {
  test('runs each batch as one line, reports the kernel\'s error for a bad batch and goes on (nft -i in its own netns)', async () => {
    const session = new NftSession('dn_ack', ['unshare', '-n', 'nft', '-i']);
    try {
      await session.run(['add table inet x', 'add set inet x s { type ipv4_addr; flags timeout; }']);
      await session.run(['add element inet x s { 192.0.2.1 timeout 60s }', 'delete element inet x s { 192.0.2.1 }', 'add element inet x s { 192.0.2.1 timeout 90s }']);
      await expect(session.run(['add element inet x nosuchset { 192.0.2.2 }'])).rejects.toThrow(/No such file or directory/);
      for (let i = 0; i < 50; i++) await session.run([`add element inet x s { 198.51.100.${i} timeout 60s }`]);
      await expect(session.run(['add element inet x s { 300.1.1.1 }'])).rejects.toThrow(/Error/);
      await session.run(['add element inet x s { 192.0.2.3 timeout 60s }']);
    } finally {
      session.stop();
    }
  });
});
