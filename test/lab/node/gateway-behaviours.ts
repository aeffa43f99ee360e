/**
 * Behaviour 2 of issue 23 (the gateway lab's basic behaviours, test/lab/gateway) with the replicas made by the
 * Deployment and run by the kubelets: allowed traffic leaves with an egress IP and comes back, denied traffic never
 * arrives, a pod outside every zone leaves as Calico has it, the zones' DNS through the kube-dns Service (kube-proxy),
 * and a gateway container killed through the runtime (the kubelet restarts it) moves no flow. The failures are in
 * gateway-failover.ts, the control plane's part in gateway-control-plane.ts.
 */
import { spawnSync } from 'child_process';
import { nodeAgentLog, NodeSuite, release, replicasNow, steeredTo } from './node-suite';
import { detachPod } from './real-pods';
import { deadIn } from '../gateway/agent-logs';
import { carrying, forgetUdp, PARTNER, tcpFlow, udpFlows, UDP_PORT } from '../gateway/gateway-traffic';
import { CLUSTER_DNS, LabPod, sleep, waitFor } from '../lab';

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
   * The zones' DNS rule through the kube-dns Service: a Pod's resolver is the kubelet's clusterDNS, kube-proxy DNATs it
   * to the DNS Pod (on another node), Felix applies the zone's DNS rule to the DNAT-ed destination. From the locked zone
   * (DNS only) and from the partners zone, whose node agent marks after the DNAT: the DNS Pod's address is inside the
   * ClusterNetwork's podCidrs (node-lab.ts declares the lab's default pool), so it is not steered to the gateway.
   */
  test('2.4 the zones\' DNS through the kube-dns Service: the Pod\'s own resolv.conf (the kubelet\'s clusterDNS), kube-proxy\'s DNAT, not the gateway', () => {
    const exec = (pod: LabPod, args: string[]) => spawnSync(`${s.n.lab.bin}/kubectl`, ['--kubeconfig', s.n.lab.kubeconfig, 'exec', '-n', pod.namespace, pod.name, '--', ...args],
      { encoding: 'utf8', timeout: 30_000 });
    for (const pod of [s.locked, s.client]) {
      expect(exec(pod, ['cat', '/etc/resolv.conf']).stdout).toContain(`nameserver ${CLUSTER_DNS}`);
      const r = exec(pod, ['getent', 'hosts', 'card.example.test']);
      expect({ zone: pod.namespace, status: r.status, out: r.stdout.trim().split(/\s+/)[0] }).toEqual({ zone: pod.namespace, status: 0, out: '203.0.113.10' });
    }
    // A bare Pod: `kubectl drain` of its node (behaviour 5) would refuse it.
    s.n.lab.kubectl(['delete', 'pod', '-n', s.locked.namespace, s.locked.name, '--wait=true']);
    detachPod(s.locked);
  });

  test('2.10 a gateway container killed through the runtime (SIGKILL; the kubelet restarts it, its data path intact) moves no flow, UDP or TCP', async () => {
    const replicas = replicasNow(s);
    try {
      forgetUdp(replicas);
      const mark = nodeAgentLog(s, s.client.node.name).length;
      const stream = udpFlows(s.client, 8, 10, 8000);
      const tcp = tcpFlow(s.client, 20, 8000);
      await sleep(1000);
      const victim = carrying(replicas, s.client, 'udp', UDP_PORT)[0] ?? replicas[0];
      const container = victim.obj.status.containerStatuses.find((c: any) => c.name === 'egress-gateway');
      const before = container.restartCount as number;
      s.n.runtime.ctr(s.n.lab, victim.pod.node, ['tasks', 'kill', '--signal', 'SIGKILL', container.containerID.split('://')[1]]);
      const [flows, conn] = await Promise.all([stream, tcp]);
      const restarts = await waitFor('the kubelet restarted the container', () => {
        const live = s.n.get(['pod', '-n', victim.obj.metadata.namespace, victim.obj.metadata.name]);
        const c = live.status.containerStatuses.find((x: any) => x.name === 'egress-gateway');
        return c.restartCount > before && c.ready ? c.restartCount : undefined;
      }, 120_000, 1000);
      print(`2.10: restarts ${before} -> ${restarts}; TCP worst gap ${conn.maxGapMs} ms; flows ${JSON.stringify(flows.map((f) => ({ egress: f.egress, lost: f.sent - f.received, gap: f.maxGapMs })))}`);
      for (const f of flows) expect(f.egress).toHaveLength(1); // no flow changed replica
      expect(flows.filter((f) => f.egress[0] === victim.pod.ip).length).toBeGreaterThan(0);
      expect({ error: conn.error, echoes: conn.echoes }).toEqual({ error: undefined, echoes: conn.sent });
      expect(deadIn(nodeAgentLog(s, s.client.node.name).slice(mark), victim.pod.ip)).toBeUndefined(); // never declared dead
    } finally {
      release(replicas);
    }
  });
}
