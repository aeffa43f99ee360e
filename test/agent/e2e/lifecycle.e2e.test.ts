/**
 * Issue 5, behaviours 6 and 7, on real kernels (namespace prefix "el"): start-up order, conntrack
 * flush, crash/restart keeping the rules, and bad configuration rejected with the rules kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  AGENT_MAIN, AGENT_NODE, buildAgents, describeNetns, labConfig, labState, NetnsLab, nsx, Proc, SERVER_ALLOWED, sleep, until,
} from './netns-lab';

describeNetns('egress agents: start-up, restart and configuration errors', () => {
  const lab = new NetnsLab({ prefix: 'el', gateways: 2 });
  const egressIps = [lab.egressIp(1), lab.egressIp(2)];
  let pay1 = '';
  let pay2 = '';
  let legacy1 = '';
  let node1: Proc | undefined;

  const table = (n: number) => {
    try {
      // Counter values move with traffic; the rules and sets are what must stay.
      return nsx(lab.ns(`n${n}`), 'nft list table inet cdk8s_egress_node').replace(/packets \d+ bytes \d+/g, '');
    } catch {
      return undefined;
    }
  };
  const ourRules = (n: number) => nsx(lab.ns(`n${n}`), 'ip rule show').split('\n').filter((l) => l.startsWith('1000:'));
  const readyz = async (n: number) => (await lab.traffic(lab.ns(`n${n}`), ['get', '--url', 'http://127.0.0.1:9441/readyz'])).status as number;
  const udp = (pod: string, durationMs: number, port = 9000) =>
    lab.traffic(pod, ['udp', '--to', `${SERVER_ALLOWED}:${port}`, '--flows', '1', '--interval', '20', '--duration', String(durationMs)]).then((r) => r[0]);

  beforeAll(async () => {
    buildAgents();
    lab.create();
    pay1 = lab.addPod(1, 'pay1', '10.201.1.10');
    legacy1 = lab.addPod(1, 'leg1', '10.201.50.10');
    pay2 = lab.addPod(2, 'pay2', '10.201.2.10');
    nsx(lab.ns('n1'), 'ip addr add 198.18.1.50/32 dev eth0');
    lab.writeConfig(labConfig(lab));
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }], [1, 2]));
    const server = lab.startServer();
    await server.waitFor(/listening/, 10_000, 'out');
    for (const i of [1, 2]) await lab.startGateway(i).waitFor(new RegExp(`"egressIp":"${lab.egressIp(i).replace(/\./g, '\\.')}"`));
  }, 120_000);

  afterAll(() => {
    lab.destroy();
    lab.removeDir();
  });

  test('7a. a malformed configuration at start is rejected with its JSON path; nothing is programmed', async () => {
    const bad = `${lab.dir}/bad-start.json`;
    const cfg = labConfig(lab);
    cfg.zones[0].gateway = 'nope';
    writeFileSync(bad, JSON.stringify(cfg));
    const p = lab.spawn('bad-start', lab.ns('n2'), [AGENT_NODE, AGENT_MAIN, 'node', '--config', bad, '--state', lab.statePath(2)]);
    expect(await p.wait(15_000)).toBe(2);
    expect(p.err).toContain('$.zones[0].gateway: unknown gateway \\"nope\\" (known: gw)');
    expect(table(2)).toBeUndefined();
    expect(ourRules(2)).toEqual([]);
  });

  test('6a. nothing is programmed before the first complete sync; rules are in place before /readyz says ready', async () => {
    const p = lab.startNode(2); // its state file does not exist yet
    await sleep(1500);
    expect(p.exited).toBeUndefined();
    expect(await readyz(2)).toBe(503);
    expect(table(2)).toBeUndefined();
    expect(ourRules(2)).toEqual([]);

    lab.writeState(2, labState(lab, [{ ip: '10.201.2.10', zone: 'payments' }], [1, 2]));
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) status = await readyz(2);
    expect(status).toBe(200);
    // Checked right after the first 200: the table, the zone's rule and its nexthop group exist.
    expect(table(2)).toContain('chain zone_1');
    expect(ourRules(2).length).toBeGreaterThan(0);
    expect(nsx(lab.ns('n2'), 'ip nexthop show')).toMatch(/type resilient/);
    const r = await udp(pay2, 300);
    expect(egressIps).toContain(r.egress[0]);
  });

  test('6b. stale conntrack entries from before the start are flushed (an old NAT binding does not survive)', async () => {
    // What ran before us: pool traffic masqueraded to the node address, in a table we do not own.
    nsx(lab.ns('n1'), `nft -f - <<'EOF'
table ip test_previous_nat {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.201.50.0/24 oifname "eth0" masquerade
  }
}
EOF`);
    const pool = udp(legacy1, 4000);
    const zone = udp(pay1, 4000);
    await sleep(1200);
    node1 = lab.startNode(1);
    await node1.waitFor(/first sync done/);
    const [p, z] = await Promise.all([pool, zone]);
    expect(p.egress).toEqual(['198.18.1.2', '198.18.1.50']); // masquerade before, our pool SNAT after the flush
    expect(z.egress[0]).toBe('10.201.1.10'); // before the agent: no steering at all
    expect(egressIps).toContain(z.egress[z.egress.length - 1]);
    expect(Number(/"flushedConntrack":(\d+)/.exec(node1.err)![1])).toBeGreaterThanOrEqual(1);
    expect(nsx(lab.ns('n1'), 'nft list tables')).toContain('test_previous_nat'); // never touches other tables
  });

  test('6c. a crashed agent leaves its rules working; a restart does not disturb established flows', async () => {
    const before = table(1);
    const running = udp(pay1, 3000);
    await sleep(500);
    node1!.signal('SIGKILL');
    await node1!.wait();
    expect(table(1)).toEqual(before);
    const fresh = await udp(pay1, 300);
    expect(egressIps).toContain(fresh.egress[0]); // new flows still steered with the agent gone
    node1 = lab.startNode(1);
    await node1.waitFor(/first sync done/);
    const r = await running;
    expect(r.egress).toHaveLength(1); // same replica, same egress IP across crash and restart
    expect(egressIps).toContain(r.egress[0]);
    expect(r.maxGapMs).toBeLessThan(300);
    expect(r.received).toBeGreaterThan(r.sent * 0.9);
    expect(Number(/"flushedConntrack":(\d+)/.exec(node1.err)![1])).toBe(0); // pinned flows are not stale
  });

  test('7b. bad configuration while running is rejected with a clear error; the running rules are kept', async () => {
    const good = readFileSync(lab.configPath, 'utf8');
    const before = table(1);
    const rulesBefore = ourRules(1);
    const overlapping = labConfig(lab);
    overlapping.cluster.serviceCidrs = ['10.201.128.0/17'];
    const unknownZoneState = { pods: [{ ip: '10.201.1.99', zone: 'no-such-zone' }], gateways: [] };
    const cases: Array<[string, RegExp]> = [
      ['{ "version": 1, "zones": [', /malformed JSON/],
      [JSON.stringify({ ...labConfig(lab), zones: [{ ...labConfig(lab).zones[0], gateway: 'nope' }] }), /\$\.zones\[0\]\.gateway: unknown gateway \\"nope\\"/],
      [JSON.stringify(overlapping), /\$\.cluster\.serviceCidrs\[0\]: \\"10\.201\.128\.0\/17\\" overlaps \\"10\.201\.0\.0\/16\\"/],
    ];
    for (const [text, error] of cases) {
      const mark = node1!.err.length;
      lab.writeConfig(text);
      await until(`rejection ${error}`, () => /configuration rejected/.test(node1!.err.slice(mark)) && error.test(node1!.err.slice(mark)), 5000);
      expect(table(1)).toEqual(before);
      expect(ourRules(1)).toEqual(rulesBefore);
      const r = await udp(pay1, 200);
      expect(egressIps).toContain(r.egress[0]);
    }
    // A state file naming an unknown zone is rejected the same way.
    const mark = node1!.err.length;
    lab.writeState(1, unknownZoneState);
    await until('state rejection', () => /\$\.pods\[0\]\.zone: unknown zone \\"no-such-zone\\"/.test(node1!.err.slice(mark)), 5000);
    expect(table(1)).toEqual(before);
    lab.writeConfig(good);
    lab.writeState(1, labState(lab, [{ ip: '10.201.1.10', zone: 'payments' }], [1, 2]));
  });
});
