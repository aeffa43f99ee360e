/**
 * Behaviour 2 of issue 23 (a subset of the gateway lab's twelve, test/lab/gateway) with the replicas made by the
 * Deployment and run by the kubelets: allowed traffic leaves with an egress IP and comes back, denied traffic never
 * arrives, a pod outside every zone leaves as Calico has it, the zone's DNS through the kube-dns Service (kube-proxy),
 * and a gateway container killed through the runtime (the kubelet restarts it) moves no flow.
 */
import { spawnSync } from 'child_process';
import { NodeSuite, release, replicasNow, steeredTo } from './node-suite';
import { detachPod } from './real-pods';
import { carrying, forgetUdp, PARTNER, udpFlows, UDP_PORT } from '../gateway/gateway-traffic';
import { CLUSTER_DNS, sleep, waitFor } from '../lab';

const print = (line: string) => console.log(line); // eslint-disable-line no-console

export function gatewayBehaviours(s: NodeSuite): void {
  test('2.1 allowed traffic leaves with a gateway egress IP as its source, and the reply comes back', async () => {
    const replicas = replicasNow(s);
    try {
      expect(replicas).toHaveLength(2);
      await steeredTo(s, replicas);
      await s.n.lab.waitForEndpoint(s.client);
      await s.n.lab.waitForFelix();
      const fromGateways = replicas.map((r) => s.n.lab.externalCounter({ saddr: r.pod.ip, daddr: PARTNER, proto: 'tcp', dport: 443 }));
      const fromPod = s.n.lab.externalCounter({ saddr: s.client.ip, daddr: PARTNER });
      const fromNode = s.n.lab.externalCounter({ saddr: s.client.node.ip, daddr: PARTNER });
      expect(s.n.lab.tcpConnects(s.client, PARTNER, 443, 3)).toBe(true);
      expect({ pod: fromPod.packets(), node: fromNode.packets() }).toEqual({ pod: 0, node: 0 });
      expect(fromGateways.reduce((a, c) => a + c.packets(), 0)).toBeGreaterThan(0);
      const flows = await udpFlows(s.client, 8, 20, 1500);
      for (const f of flows) {
        expect(f.egress).toHaveLength(1);
        expect(replicas.map((r) => r.pod.ip)).toContain(f.egress[0]);
        expect(f.received).toBeGreaterThan(f.sent * 0.9);
      }
    } finally {
      release(replicas);
    }
  });

  test('2.2 denied traffic never arrives (0 packets at the external side)', async () => {
    const leaks = [s.n.lab.externalCounter({ daddr: PARTNER, proto: 'tcp', dport: 80 }), s.n.lab.externalCounter({ daddr: PARTNER, proto: 'udp', dport: 9001 })];
    expect(s.n.lab.tcpConnects(s.client, PARTNER, 80, 2)).toBe(false);
    s.n.lab.udpSend(s.client, PARTNER, 9001);
    await sleep(500);
    expect(leaks.map((c) => c.packets())).toEqual([0, 0]);
  });

  test('2.3 a pod outside every zone leaves as Calico alone has it leave (natOutgoing: the node address)', () => {
    const replicas = replicasNow(s);
    try {
      const fromNode = s.n.lab.externalCounter({ saddr: s.outside.node.ip, daddr: PARTNER, proto: 'tcp', dport: 443 });
      const viaGateway = replicas.map((r) => s.n.lab.externalCounter({ saddr: r.pod.ip, daddr: PARTNER }));
      expect(s.n.lab.tcpConnects(s.outside, PARTNER, 443, 3)).toBe(true);
      expect(fromNode.packets()).toBeGreaterThan(0);
      expect(viaGateway.map((c) => c.packets())).toEqual([0, 0]);
    } finally {
      release(replicas);
    }
  });

  /**
   * From the locked zone (DNS only): its Pod's resolver is the kubelet's clusterDNS, kube-proxy DNATs it to the DNS Pod
   * (on another node), Felix applies the zone's DNS rule to the DNAT-ed destination. Not from the partners zone: the
   * lab's DNS Pod has an address of the lab's own pool, outside the example's ClusterNetwork podCidrs (its pools take
   * them all), so the node agent, which marks after DNAT, sees an outside destination and steers it to the gateway.
   */
  test('2.4 the zone\'s DNS rule through the kube-dns Service: the Pod\'s own resolv.conf (the kubelet\'s clusterDNS), kube-proxy\'s DNAT', () => {
    const exec = (args: string[]) => spawnSync(`${s.n.lab.bin}/kubectl`, ['--kubeconfig', s.n.lab.kubeconfig, 'exec', '-n', s.locked.namespace, s.locked.name, '--', ...args],
      { encoding: 'utf8', timeout: 30_000 });
    expect(exec(['cat', '/etc/resolv.conf']).stdout).toContain(`nameserver ${CLUSTER_DNS}`);
    const r = exec(['getent', 'hosts', 'card.example.test']);
    expect({ status: r.status, out: r.stdout.trim().split(/\s+/)[0] }).toEqual({ status: 0, out: '203.0.113.10' });
    // A bare Pod: `kubectl drain` of its node (behaviour 5) would refuse it.
    s.n.lab.kubectl(['delete', 'pod', '-n', s.locked.namespace, s.locked.name, '--wait=true']);
    detachPod(s.locked);
  });

  test('2.10 a gateway container killed through the runtime (SIGKILL; the kubelet restarts it) moves no flow', async () => {
    const replicas = replicasNow(s);
    try {
      forgetUdp(replicas);
      const stream = udpFlows(s.client, 8, 10, 8000);
      await sleep(1000);
      const victim = carrying(replicas, s.client, 'udp', UDP_PORT)[0] ?? replicas[0];
      const container = victim.obj.status.containerStatuses.find((c: any) => c.name === 'egress-gateway');
      const before = container.restartCount as number;
      s.n.runtime.ctr(s.n.lab, victim.pod.node, ['tasks', 'kill', '--signal', 'SIGKILL', container.containerID.split('://')[1]]);
      const flows = await stream;
      const restarts = await waitFor('the kubelet restarted the container', () => {
        const live = s.n.get(['pod', '-n', victim.obj.metadata.namespace, victim.obj.metadata.name]);
        const c = live.status.containerStatuses.find((x: any) => x.name === 'egress-gateway');
        return c.restartCount > before && c.ready ? c.restartCount : undefined;
      }, 120_000, 1000);
      print(`2.10: restarts ${before} -> ${restarts}; flows ${JSON.stringify(flows.map((f) => ({ egress: f.egress, lost: f.sent - f.received, gap: f.maxGapMs })))}`);
      for (const f of flows) expect(f.egress).toHaveLength(1); // no flow changed replica
      expect(flows.filter((f) => f.egress[0] === victim.pod.ip).length).toBeGreaterThan(0);
    } finally {
      release(replicas);
    }
  });
}
