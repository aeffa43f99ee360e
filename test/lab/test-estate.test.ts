/**
 * The second estate (test/lab/test-estate.ts) in the real-cluster lab, enforced by Calico's Felix.
 */
import { App, Chart } from 'cdk8s';
import { Lab, LabPod } from './lab';
import { describeLab, toYaml } from './suite';
import { synthTestEstate, TEST_ESTATE } from './test-estate';
import { Cidr, NatPool } from '../../src';

jest.setTimeout(600_000);

const CALICO_KINDS = new Set(['IPPool', 'GlobalNetworkPolicy', 'GlobalNetworkSet', 'NetworkPolicy', 'NetworkSet']);

function inCidr(ip: string, cidr: string): boolean {
  return Cidr.parse(cidr).containsAddress(ip);
}

describeLab('lab: the test estate enforced by Felix', () => {
  let lab: Lab;
  const pods: Record<string, LabPod> = {};
  const [sftp1, sftp2] = TEST_ESTATE.sftp;

  beforeAll(async () => {
    lab = await Lab.start({ nodes: 2 });
    const docs = synthTestEstate();
    for (const ns of ['apps', 'ops']) lab.ensureNamespace(ns);
    lab.apply(toYaml(docs));
    const calicoObjects = docs.filter((d) => d.apiVersion === 'projectcalico.org/v3' && CALICO_KINDS.has(d.kind));
    lab.calicoctl(['apply', '-f', '-'], toYaml(calicoObjects));
    // The lab's own pool serves the namespaces no estate pool serves (kube-system, sandbox, ...).
    lab.setDefaultPoolNamespaces('kubernetes.io/metadata.name not in {"apps", "ops", "tiny"}');
    for (const ip of [TEST_ESTATE.api, ...TEST_ESTATE.sftp, TEST_ESTATE.syslog]) lab.addExternalHost(ip);
    await lab.startExternalServer([22, 443, 8443, 8446]);
    pods.web = await lab.createPod({ namespace: 'apps', name: 'web', node: 0, labels: { tier: 'web' } });
    pods.worker = await lab.createPod({ namespace: 'apps', name: 'worker', node: 1, labels: { tier: 'worker' } });
    pods.ops1 = await lab.createPod({ namespace: 'ops', name: 'ops1', node: 1, labels: { app: 'ops' } });
    for (const p of Object.values(pods)) await lab.waitForEndpoint(p);
    await lab.waitForFelix(1);
  });
  afterAll(() => lab?.stop());

  test('per-namespace pools: calico-ipam assigns from each namespace\'s pool', () => {
    expect(inCidr(pods.web.ip, TEST_ESTATE.appsPool)).toBe(true);
    expect(inCidr(pods.worker.ip, TEST_ESTATE.appsPool)).toBe(true);
    expect(inCidr(pods.ops1.ip, TEST_ESTATE.opsPool)).toBe(true);
  });

  test('a port range: 8440-8445 reaches the API through NAT outgoing (node address); 8446 and 443 get nothing', () => {
    const fromNode = lab.externalCounter({ saddr: pods.web.node.ip, daddr: TEST_ESTATE.api, proto: 'tcp', dport: 8443 });
    const fromPod = lab.externalCounter({ saddr: pods.web.ip });
    const leaks = [8446, 443].map((dport) => lab.externalCounter({ daddr: TEST_ESTATE.api, proto: 'tcp', dport }));
    expect(lab.tcpConnects(pods.web, TEST_ESTATE.api, 8443)).toBe(true);
    expect(lab.tcpConnects(pods.web, TEST_ESTATE.api, 8446, 1)).toBe(false);
    expect(lab.tcpConnects(pods.web, TEST_ESTATE.api, 443, 1)).toBe(false);
    expect(fromNode.packets()).toBeGreaterThan(0);
    expect(fromPod.packets()).toBe(0);
    expect(leaks.map((c) => c.packets())).toEqual([0, 0]);
  });

  test('two noNatDestinations: both SFTP hosts see the pod address', () => {
    const counters = [sftp1, sftp2].map((daddr) => lab.externalCounter({ saddr: pods.web.ip, daddr, proto: 'tcp', dport: 22 }));
    const natted = lab.externalCounter({ saddr: pods.web.node.ip, proto: 'tcp', dport: 22 });
    expect(lab.tcpConnects(pods.web, sftp1, 22)).toBe(true);
    expect(lab.tcpConnects(pods.web, sftp2, 22)).toBe(true);
    expect(counters.map((c) => c.packets() > 0)).toEqual([true, true]);
    expect(natted.packets()).toBe(0);
  });

  test('UDP: syslog on 514 arrives (pod address: inside a noNat destination); 515 gets nothing', () => {
    const allowed = lab.externalCounter({ saddr: pods.web.ip, daddr: TEST_ESTATE.syslog, proto: 'udp', dport: 514 });
    const leak = lab.externalCounter({ daddr: TEST_ESTATE.syslog, proto: 'udp', dport: 515 });
    lab.udpSend(pods.web, TEST_ESTATE.syslog, 514);
    lab.udpSend(pods.web, TEST_ESTATE.syslog, 515);
    expect(allowed.packets()).toBeGreaterThan(0);
    expect(leak.packets()).toBe(0);
  });

  test('pods of the namespace the zone does not select are not restricted by it', () => {
    expect(lab.tcpConnects(pods.worker, TEST_ESTATE.api, 443)).toBe(true);
  });

  test('non-NAT pool: ops reaches the API on 443 with its pod address; other ports get nothing', () => {
    const fromPod = lab.externalCounter({ saddr: pods.ops1.ip, daddr: TEST_ESTATE.api, proto: 'tcp', dport: 443 });
    const leak = lab.externalCounter({ daddr: TEST_ESTATE.api, proto: 'tcp', dport: 8443, saddr: pods.ops1.ip });
    expect(lab.tcpConnects(pods.ops1, TEST_ESTATE.api, 443)).toBe(true);
    expect(lab.tcpConnects(pods.ops1, TEST_ESTATE.api, 8443, 1)).toBe(false);
    expect(fromPod.packets()).toBeGreaterThan(0);
    expect(leak.packets()).toBe(0);
  });

  test('allowInCluster: the ops zone allows in-cluster traffic itself; web\'s in-cluster traffic ends in the end-of-tier deny', async () => {
    await lab.startTcpServer(pods.web, 9000);
    await lab.startTcpServer(pods.ops1, 9000);
    expect(lab.tcpConnects(pods.ops1, pods.web.ip, 9000)).toBe(true);
    expect(lab.tcpConnects(pods.web, pods.ops1.ip, 9000, 1)).toBe(false);
  });

  test('a pool too small is caught at synth, and calico-ipam runs out on the same numbers', async () => {
    // Synth: 2 nodes x 3 pods do not fit a /30 (4 addresses).
    const chart = new Chart(new App(), 'tiny');
    expect(() => new NatPool(chart, 'tiny-pool', { cidr: '10.246.2.0/30', blockSize: 30, natOutgoing: true, capacity: { nodes: 2, podsPerNode: 3 } })).toThrow(/capacity|too small|fit/i);
    // Lab: the same pool as Calico sees it; the fifth pod gets no address.
    lab.calicoctl(['apply', '-f', '-'], toYaml([{
      apiVersion: 'projectcalico.org/v3',
      kind: 'IPPool',
      metadata: { name: 'tiny' },
      spec: { cidr: '10.246.2.0/30', blockSize: 30, natOutgoing: true, nodeSelector: 'all()', namespaceSelector: 'kubernetes.io/metadata.name == "tiny"', allowedUses: ['Workload'] },
    }]));
    const got: string[] = [];
    let failure = '';
    for (let i = 0; i < 5; i++) {
      try {
        got.push((await lab.createPod({ namespace: 'tiny', name: `t${i}`, node: i % 2 })).ip);
      } catch (e) {
        failure = (e as Error).message;
        break;
      }
    }
    expect(got).toHaveLength(4);
    expect(got.every((ip) => inCidr(ip, '10.246.2.0/30'))).toBe(true);
    expect(failure).toMatch(/calico|ipam|address|IP/i);
  });
});
