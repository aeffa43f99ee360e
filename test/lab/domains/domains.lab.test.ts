/**
 * Issue 25's lab tests 1–7 (domains-lab.ts): `Destination.domain()` on Backend.CALICO with real Felix enforcing the
 * zones' emitted policy and our node agent's DNS proxy and learned sets, against a DNS server whose answers the test
 * changes. The lab's pods are IPv4 only (Felix runs with IPv6 support off, the pools are IPv4): AAAA answers are
 * checked up to the learned IPv6 set, not with an IPv6 connection.
 */
import { buildAgents } from '../../agent/e2e/netns-lab';
import { sleep, waitFor } from '../lab';
import { describeLab } from '../suite';
import { DomainsLab, NODE_LOCAL_DNS } from './domains-lab';

jest.setTimeout(600_000);

describeLab('lab: domain rules on Calico OSS, enforced by the node agent with real Felix', () => {
  let d: DomainsLab;
  let orders4 = '';
  let orders6 = '';
  let shop4 = '';

  beforeAll(async () => {
    buildAgents();
    d = await DomainsLab.start();
    orders4 = `d4_${d.zoneId('orders')}_0`;
    orders6 = `d6_${d.zoneId('orders')}_0`;
    shop4 = `d4_${d.zoneId('shop')}_0`;
  }, 30 * 60_000); // the lab lock waits up to 20 min for another suite's lab
  afterAll(() => {
    if (process.env.EGRESS_LAB_DEBUG) console.log(d?.lab.logTails()); // eslint-disable-line no-console
    d?.lab.stop();
  });

  test('1. an allowed name is reached: the first connection right after each lookup succeeds (1 + 50 fresh names)', () => {
    d.setAnswers({ 'api.stripe.com': { a: ['198.18.25.10'], ttl: 1 } });
    const r = d.lookup(d.orders, 'api.stripe.com');
    expect([r.addresses, r.connected]).toEqual([['198.18.25.10'], true]);
    const fresh: Record<string, { a: string[]; ttl: number }> = {};
    for (let i = 1; i <= 50; i++) fresh[`s${i}.stripe.com`] = { a: [`198.18.26.${i}`], ttl: 1 };
    d.setAnswers(fresh);
    const loop = d.dnsLab(d.orders, ['loop', '--server', d.lab.dnsIp!, '--prefix', 's', '--suffix', 'stripe.com', '--count', '50', '--connect', '443']);
    expect(loop).toEqual({ failures: 0, ok: 50 });
  });

  test('2. an address of a name that is not allowed gets 0 packets through; so does one never looked up', () => {
    const evil = d.counter('198.18.25.40');
    const unseen = d.counter('198.18.25.41');
    d.setAnswers({ 'evil.example': { a: ['198.18.25.40'] } });
    const r = d.lookup(d.orders, 'evil.example');
    expect([r.addresses, r.connected]).toEqual([['198.18.25.40'], false]); // answered, not opened
    expect(d.connects(d.orders, '198.18.25.41')).toBe(false);
    expect([evil.packets(), unseen.packets()]).toEqual([0, 0]);
  });

  test('3. a wildcard matches deeper names; the bare parent does not', () => {
    const parent = d.counter('198.18.25.42');
    d.setAnswers({ 'stripe.com': { a: ['198.18.25.42'] }, 'a.b.stripe.com': { a: ['198.18.25.44'] } });
    expect(d.lookup(d.orders, 'a.b.stripe.com').connected).toBe(true);
    const r = d.lookup(d.orders, 'stripe.com');
    expect([r.addresses, r.connected]).toEqual([['198.18.25.42'], false]);
    expect(parent.packets()).toBe(0);
  });

  test('4. a rotating answer (TTL 1 s): every established connection lives on past its address\'s expiry; new ones follow the answer', async () => {
    const t0 = Date.now();
    const until = t0 + 75_000; // past the first address's hold (60 s minimum + 5 s grace)
    const streams: Array<Promise<any>> = [];
    const rotations: string[] = [];
    for (let i = 1; Date.now() - t0 < 60_000; i++) {
      const ip = `198.18.27.${i}`;
      d.setAnswers({ 'rot.stripe.com': { a: [ip], ttl: 1 } });
      const r = d.lookup(d.orders, 'rot.stripe.com');
      expect([r.addresses, r.connected]).toEqual([[ip], true]); // a new connection follows the answer
      streams.push(d.stream(d.orders, ip, 200, until - Date.now()));
      rotations.push(ip);
      await sleep(4000);
    }
    // The first address has left the set (its hold is over) while its connection still echoes...
    await waitFor('the first address expired', () => !d.learned(orders4).includes(`${rotations[0]} `), 15_000, 500);
    expect(Date.now()).toBeLessThan(until - 2000);
    const late = d.synCounter(rotations[0]); // its live connection keeps sending: count new connections only
    expect(d.connects(d.orders, rotations[0])).toBe(false); // ...and a new connection to it is not let through
    expect(late.packets()).toBe(0);
    const done = await Promise.all(streams);
    expect(rotations.length).toBeGreaterThanOrEqual(12);
    for (const s of done) expect([s.connected, s.error, s.echoes]).toEqual([true, undefined, s.sent]);
    expect(done[0].sent).toBeGreaterThan(300); // 75 s at one write every 200 ms
  }, 180_000);

  test('5. an agent restart in the middle drops no established connection; while it is down, lookups fail closed', async () => {
    d.setAnswers({ 'keep.stripe.com': { a: ['198.18.25.60'], ttl: 600 } });
    expect(d.lookup(d.orders, 'keep.stripe.com').connected).toBe(true);
    const stream = d.stream(d.orders, '198.18.25.60', 100, 20_000);
    await sleep(3000);
    d.killAgent();
    await sleep(1000);
    d.setAnswers({ 'keep.stripe.com': { a: ['198.18.25.60'], ttl: 600 }, 'down.stripe.com': { a: ['198.18.25.61'] } });
    const down = d.lookup(d.orders, 'down.stripe.com');
    expect(down.addresses).toEqual([]); // no proxy, no answer
    await d.startAgent();
    expect(d.g.logOf('egress-nat-node1')).toMatch(/DNS proxy serving.*"relearned":[1-9]/);
    expect(d.learned(orders4)).toContain('198.18.25.60');
    expect(d.lookup(d.orders, 'down.stripe.com').connected).toBe(true); // a fresh answer after the restart
    const s = await stream;
    expect([s.connected, s.error, s.echoes]).toEqual([true, undefined, s.sent]);
    expect(s.sent).toBeGreaterThan(150);
  }, 120_000);

  test('6. a CNAME chain, DNS over TCP, a truncated UDP answer (the resolver retries over TCP), and AAAA', () => {
    d.setAnswers({
      'api.pay.example': { cname: 'edge.cdn.example' },
      'edge.cdn.example': { a: ['198.18.25.45'] },
      'tcp.stripe.com': { a: ['198.18.25.46'] },
      // 30 records (under the agent's 32 per name), ~950 bytes: more than a UDP answer without EDNS holds.
      'many.stripe.com': { a: Array.from({ length: 30 }, (_, i) => `198.18.28.${i + 1}`) },
      'v6.stripe.com': { aaaa: ['2001:db8:25::10'] },
    });
    expect(d.lookup(d.orders, 'api.pay.example').connected).toBe(true);
    const tcp = d.lookup(d.orders, 'tcp.stripe.com', ['--tcp', '1']);
    expect([tcp.addresses, tcp.connected]).toEqual([['198.18.25.46'], true]);
    // Over UDP they do not fit in 512 bytes: the pod gets TC and part of them...
    const udp = d.lookup(d.orders, 'many.stripe.com');
    expect(udp.tc).toBe(true);
    expect(udp.addresses.length).toBeLessThan(30);
    // ...and the stub resolver asks again over TCP; the last address is only in that answer.
    const full = d.dnsLab(d.orders, ['resolve', '--server', d.lab.dnsIp!, '--name', 'many.stripe.com', '--connect', '443']);
    expect([full.addresses.length, full.connected]).toEqual([30, true]);
    const v6 = d.lookup(d.orders, 'v6.stripe.com', ['--type', 'aaaa']);
    expect(v6.addresses).toEqual(['2001:db8:25:0:0:0:0:10']);
    expect(d.learned(orders6)).toContain('2001:db8:25::10');
  });

  test('7. a lookup from another zone opens nothing for this one', () => {
    const x = d.counter('198.18.25.43');
    d.setAnswers({ 'x.stripe.com': { a: ['198.18.25.43'] }, 'api.shop.example': { a: ['198.18.25.47'] } });
    const s = d.lookup(d.shop, 'x.stripe.com');
    expect([s.addresses, s.connected]).toEqual([['198.18.25.43'], false]); // not shop's rule
    expect(d.learned(orders4)).not.toContain('198.18.25.43');
    expect(d.connects(d.orders, '198.18.25.43')).toBe(false);
    expect(x.packets()).toBe(0);
    // shop's own name opens it for shop only.
    expect(d.lookup(d.shop, 'api.shop.example').connected).toBe(true);
    expect(d.learned(shop4)).toContain('198.18.25.47');
    expect(d.connects(d.orders, '198.18.25.47')).toBe(false);
  });

  test('8. NodeLocal DNSCache on the node: a query to its address goes through the proxy despite its NOTRACK; the answer comes from the address asked', () => {
    // Felix allows the zone's DNS to the proxy's ports only; the agent rewrote the query before the cache's NOTRACK.
    d.setAnswers({ 'cache.stripe.com': { a: ['198.18.25.70'] } }); // the cache itself would say 198.18.25.99
    const r = d.dnsLab(d.orders, ['lookup', '--server', NODE_LOCAL_DNS, '--name', 'cache.stripe.com', '--connect', '443']);
    expect([r.addresses, r.connected]).toEqual([['198.18.25.70'], true]);
    const tcp = d.dnsLab(d.orders, ['lookup', '--server', NODE_LOCAL_DNS, '--name', 'cache.stripe.com', '--tcp', '1']);
    expect(tcp.addresses).toEqual(['198.18.25.70']);
    // The rewrite is the node's, for every domain zone's pods: shop's query is answered by the proxy too, and opens
    // nothing for shop (not its name).
    const shop = d.dnsLab(d.shop, ['lookup', '--server', NODE_LOCAL_DNS, '--name', 'cache.stripe.com', '--connect', '443']);
    expect([shop.addresses, shop.connected]).toEqual([['198.18.25.70'], false]);
  });
});
