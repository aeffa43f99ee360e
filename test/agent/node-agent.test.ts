import * as dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKernel } from './fake-kernel';
import { waitFor } from './wait-for';
import { NodeAgent } from '../../src/agent/node/node-agent';
import { ClusterSource } from '../../src/agent/shared/cluster-source';
import { ObservedCluster } from '../../src/agent/shared/observed-state';
import { DataPathConfig } from '../../src/datapath';
import { validDocument } from '../datapath/data-path-fixture';

/** The cluster view, pushed by the test. */
class PushedSource implements ClusterSource {
  public push?: (o: ObservedCluster) => void;
  public async start(_c: DataPathConfig, onUpdate: (o: ObservedCluster) => void): Promise<void> {
    this.push = onUpdate;
  }
  public stop(): void {}
}

/**
 * A gateway replica on 127.0.0.1: its agent's /readyz (answer set by the test), and its data path,
 * which "forwards" a probe frame the way a replica's kernel does: it takes the inner UDP datagram
 * out of the VXLAN frame and sends its payload to the inner destination port from 127.0.0.1 (the
 * egress IP of this test's gateway). The test switches either off.
 */
async function fakeReplica(): Promise<{
  port: number;
  vxlanPort: number;
  answer: { code: number; body: string };
  dataPath: { forwards: boolean };
  frames: Buffer[];
  closeAgent: () => void;
  close: () => void;
}> {
  const answer = { code: 200, body: 'ready\n' };
  const dataPath = { forwards: true };
  const frames: Buffer[] = [];
  const server = http.createServer((_req, res) => {
    res.writeHead(answer.code, { connection: 'close' });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const vxlan = dgram.createSocket('udp4');
  vxlan.on('message', (frame) => {
    frames.push(frame);
    if (!dataPath.forwards) return;
    const inner = frame.subarray(8 + 14); // VXLAN header, Ethernet header
    const udp = inner.subarray((inner[0] % 16) * 4); // IPv4 header length (IHL) in words
    vxlan.send(udp.subarray(8, udp.readUInt16BE(4)), udp.readUInt16BE(2), '127.0.0.1');
  });
  await new Promise<void>((r) => vxlan.bind(0, '127.0.0.1', r));
  let agentOpen = true;
  const closeAgent = () => {
    if (agentOpen) server.close();
    agentOpen = false;
  };
  return {
    port,
    vxlanPort: vxlan.address().port,
    answer,
    dataPath,
    frames,
    closeAgent,
    close: () => {
      closeAgent();
      vxlan.close();
    },
  };
}

describe('NodeAgent against a fake kernel', () => {
  let dir: string;
  let agent: NodeAgent | undefined;
  let replica: Awaited<ReturnType<typeof fakeReplica>>;
  let kernel: FakeKernel;
  let source: PushedSource;
  let errSpy: jest.SpyInstance;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'node-agent-'));
    replica = await fakeReplica();
    kernel = new FakeKernel();
    source = new PushedSource();
    errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    agent?.stop();
    replica.close();
    errSpy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(): NodeAgent {
    const doc = validDocument();
    doc.gateways[0].healthPort = replica.port;
    doc.gateways[0].vxlanPort = replica.vxlanPort;
    doc.gateways[0].egressIps = ['127.0.0.1'];
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify(doc));
    agent = new NodeAgent({ configPath: path, source, kernel }, JSON.stringify(doc));
    return agent;
  }
  const view: ObservedCluster = {
    pods: [{ ip: '10.201.1.10', zone: 'payments' }],
    gateways: [{ gateway: 'gw', name: 'gw-0', ip: '127.0.0.1', ready: true, terminating: false }],
  };

  test('programs nothing before the first complete sync, then the sets, then the chains that use them', async () => {
    await start().start();
    await new Promise((r) => setTimeout(r, 200));
    expect(kernel.log.filter((l) => !l.startsWith('sysctl'))).toEqual([]); // no cluster view yet
    source.push!(view);
    await waitFor('nft', () => kernel.nftScripts.length === 2);
    expect(kernel.nftScripts[0]).toMatch(/map pod_zone_g1 \{\n\s+type ipv4_addr : verdict\n\s+elements = \{ 10\.201\.1\.10 : jump zone_1 \}/);
    expect(kernel.nftScripts[0]).not.toMatch(/ip daddr|meta mark/);
    expect(kernel.nftScripts[1]).toContain('ip saddr vmap @pod_zone_g1');
    expect(kernel.nftScripts[1]).not.toMatch(/delete table|elements/); // never a table replaced in one transaction
    expect(kernel.log.indexOf('add-rule')).toBeLessThan(kernel.log.indexOf('nft')); // routes before the marks that use them
    expect(kernel.net.groups).toHaveLength(2);
    expect(kernel.log).toContain('sysctl net.ipv4.fib_multipath_hash_policy=1');
  });

  test('a replica draining (its agent says so) keeps its pin only; one that stops forwarding is removed after failureThreshold probes', async () => {
    await start().start();
    source.push!(view);
    await waitFor('group with the replica', () => kernel.net.groups.some((g) => g.members.length === 1));
    replica.answer.code = 503;
    replica.answer.body = 'draining\n';
    await waitFor('drain', () => kernel.net.groups.length === 0 && kernel.net.routes.some((r) => r.kind === 'via'));
    expect(kernel.net.routes.filter((r) => r.kind === 'blackhole')).toHaveLength(1); // fail-closed zone: new flows dropped
    replica.dataPath.forwards = false;
    await waitFor('dead', () => !kernel.net.routes.some((r) => r.kind === 'via'), 3000);
  });

  test('an agent that stops answering while its replica forwards changes nothing (health is "it forwards")', async () => {
    await start().start();
    source.push!(view);
    await waitFor('group with the replica', () => kernel.net.groups.some((g) => g.members.length === 1));
    const syncs = kernel.log.filter((l) => l === 'nft').length;
    replica.closeAgent();
    await new Promise((r) => setTimeout(r, 1500)); // 15 probe intervals, 3-4 agent probes unanswered
    expect(kernel.net.groups.some((g) => g.members.length === 1)).toBe(true);
    expect(kernel.log.filter((l) => l === 'nft')).toHaveLength(syncs);
    // The probes are VXLAN frames of the lowest zone's VNI carrying the prober's token.
    const vni = replica.frames[0].readUIntBE(4, 3);
    expect(vni).toBe(validDocument().zones.filter((z: any) => z.gateway === 'gw').sort((a: any, b: any) => a.id - b.id)[0].vni);
    replica.dataPath.forwards = false;
    await waitFor('dead once it stops forwarding', () => kernel.net.groups.length === 0, 3000);
  });

  test('a failed transaction keeps the last good state, is retried with backoff as a full resync', async () => {
    await start().start();
    source.push!(view);
    await waitFor('first sync', () => kernel.nftScripts.length === 2);
    const reads = kernel.log.filter((l) => l === 'read').length;
    kernel.failNext = 'nft';
    source.push!({ ...view, pods: [...view.pods, { ip: '10.201.1.11', zone: 'payments' }] });
    // The failed edit is not recorded; the retry rebuilds every set (stage), then switches.
    await waitFor('retry', () => kernel.nftScripts.length === 4);
    expect(kernel.nftScripts[2]).toMatch(/map pod_zone_g2 \{[^}]*elements = \{ 10\.201\.1\.10 : jump zone_1, 10\.201\.1\.11 : jump zone_1 \}/);
    expect(kernel.nftScripts[3]).toContain('ip saddr vmap @pod_zone_g2');
    expect(errSpy.mock.calls.map((c) => String(c[0])).join('')).toMatch(/sync failed; keeping the last good state.*Could not process rule/);
    expect(kernel.log.filter((l) => l === 'read').length).toBeGreaterThan(reads); // the retry re-read the kernel
  });

  test('a pod change edits the pod map in place in one transaction; the interval sets are not rebuilt', async () => {
    await start().start();
    source.push!(view);
    await waitFor('first sync', () => kernel.nftScripts.length === 2);
    source.push!({ ...view, pods: [{ ip: '10.201.1.11', zone: 'payments' }] });
    await waitFor('the change', () => kernel.nftScripts.length === 3);
    const edit = kernel.nftScripts[2];
    expect(edit.split('\n').filter((l) => / element /.test(l))).toEqual([
      'delete element inet cdk8s_egress_node pod_zone_g1 { 10.201.1.10 }',
      'add element inet cdk8s_egress_node pod_zone_g1 { 10.201.1.11 : jump zone_1 }',
    ]);
    expect(edit).not.toMatch(/^\s*(set|map) /m);
    expect(edit).not.toMatch(/delete (set|chain|table)/);
  });

  test('a rejected configuration update keeps the running rules', async () => {
    const a = start();
    await a.start();
    source.push!(view);
    await waitFor('first sync', () => kernel.nft !== undefined && kernel.nft.includes('chain prerouting'));
    const good = kernel.nft;
    const nftCount = kernel.log.filter((l) => l === 'nft').length;
    writeFileSync(join(dir, 'config.json'), '{"version": 1, "zones": [}');
    await waitFor('rejection', () => errSpy.mock.calls.some((c) => String(c[0]).includes('configuration rejected')));
    expect(errSpy.mock.calls.map((c) => String(c[0])).join('')).toMatch(/\$: malformed JSON/);
    await new Promise((r) => setTimeout(r, 200));
    expect(kernel.nft).toBe(good);
    expect(kernel.log.filter((l) => l === 'nft')).toHaveLength(nftCount);
  });

  test('stale conntrack entries are flushed once, after the first sync, in-cluster ones never', async () => {
    kernel.conntrack = [
      { protocol: 'udp', src: '10.201.1.10', dst: '198.19.0.10', sport: 1, dport: 9000, replySrc: '198.19.0.10', replyDst: '10.201.1.10', mark: 0 },
      { protocol: 'tcp', src: '10.201.1.10', dst: '10.96.0.10', sport: 2, dport: 53, replySrc: '10.201.5.5', replyDst: '10.201.1.10', mark: 0 },
      { protocol: 'udp', src: '10.201.50.7', dst: '198.19.0.10', sport: 3, dport: 9000, replySrc: '198.19.0.10', replyDst: '198.18.1.2', mark: 0 },
      { protocol: 'udp', src: '10.201.50.8', dst: '198.19.0.10', sport: 4, dport: 9000, replySrc: '198.19.0.10', replyDst: '198.18.1.50', mark: 0 },
    ];
    await start().start();
    source.push!(view);
    await waitFor('flush', () => kernel.log.some((l) => l.startsWith('conntrack-delete')));
    expect(kernel.log.filter((l) => l.startsWith('conntrack-delete')).sort()).toEqual(['conntrack-delete 10.201.1.10:1', 'conntrack-delete 10.201.50.7:3']);
    expect(kernel.log.indexOf('conntrack-delete 10.201.1.10:1')).toBeGreaterThan(kernel.log.indexOf('nft'));
  });
});
