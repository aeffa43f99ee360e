/**
 * Behaviour 3 of issue 23: a rolling update of the gateway Deployment (a new image tag) on real nodes drains, it does
 * not cut. And the strategy it replaced: with a surge replica and maxUnavailable 0, two nodes and two replicas that
 * require distinct nodes, the rollout never moves (the surge replica cannot be scheduled).
 */
import { healthOn, NodeSuite, RealReplica, release, replicasNow, retagged, steeredTo, tagOnNodes } from './node-suite';
import { evict, isReady, readyPods } from './real-pods';
import { carrying, FlowStats, forgetUdp, tcpFlow, udpFlows } from '../gateway/gateway-traffic';
import { sleep, waitFor } from '../lab';

const print = (line: string) => console.log(line); // eslint-disable-line no-console

export function gatewayRollout(s: NodeSuite): void {
  test('3a. the earlier strategy (maxSurge 1, maxUnavailable 0) hangs here: the surge replica is never scheduled, no old one goes', async () => {
    const dep = s.n.kind('Deployment');
    tagOnNodes(s, dep, 'lab-surge');
    const surge = retagged(dep, 'lab-surge');
    surge.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const before = readyPods(s.n, dep).map((p) => p.metadata.name).sort();
    s.n.apply([surge]);
    try {
      const pending = await waitFor('a surge Pod the scheduler cannot place', () => s.n.podsOf(dep).find((p) => p.spec.containers[0].image.endsWith(':lab-surge')
        && p.status.conditions?.some((c: any) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable')), 60_000, 1000);
      const why = pending.status.conditions.find((c: any) => c.type === 'PodScheduled').message as string;
      await sleep(15_000);
      const live = s.n.get(['deployment', '-n', dep.metadata.namespace, dep.metadata.name]);
      print(`3a: ${pending.metadata.name}: ${why}; after 15 s updated ${live.status.updatedReplicas}, available ${live.status.availableReplicas}`);
      expect(why).toMatch(/anti-affinity/);
      expect(readyPods(s.n, dep).map((p) => p.metadata.name).sort()).toEqual(before); // nothing moved
      expect(s.n.podsOf(dep).find((p) => p.metadata.name === pending.metadata.name)?.spec.nodeName).toBeUndefined();
    } finally {
      s.n.apply([dep]); // back to the emitted Deployment: the surge Pod goes, the old ones stay
      s.n.rolledOut(dep);
    }
  });

  test('3. a rolling update of the gateway Deployment (a new image tag): established flows drain on the old replica, new flows avoid it, the PDB holds', async () => {
    const dep = s.n.kind('Deployment');
    const grace = Number(JSON.parse(s.n.kind('ConfigMap', 'egress-data-path').data['data-path.json']).gateways[0].drainGraceSeconds);
    const old = replicasNow(s);
    const newImage = tagOnNodes(s, dep, 'lab-rollout');
    let fresh: RealReplica[] = [];
    try {
      await steeredTo(s, old);
      forgetUdp(old);
      const flowMs = 45_000;
      const tcp = tcpFlow(s.client, 200, flowMs);
      await sleep(1500);
      const carrier = carrying(old, s.client, 'tcp', 443)[0];
      expect(carrier).toBeDefined();
      s.n.apply([retagged(dep, 'lab-rollout')]);
      let minReady = old.length;
      let terminatingAt = 0;
      let drainingSeenAt = 0;
      let duringDrain: Promise<FlowStats[]> | undefined;
      const evictions: string[] = [];
      await waitFor('the rollout complete', () => {
        const pods = s.n.podsOf(dep);
        const ready = pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp);
        minReady = Math.min(minReady, ready.length);
        const c = pods.find((p) => p.metadata.uid === carrier.obj.metadata.uid);
        if (!terminatingAt && c?.metadata.deletionTimestamp) {
          terminatingAt = Date.now();
          // New flows while the carrier drains, once the client's node knows it drains (its agent's log says so).
          duringDrain = waitFor('the carrier draining on the client\'s node', () => healthOn(s, s.client.node.name, carrier.pod.ip) === 'draining', 20_000, 500)
            .then(() => { drainingSeenAt = Date.now(); return udpFlows(s.client, 8, 20, 1000); });
        }
        // The PDB allows no second disruption while a replica is down: an eviction of a ready one is refused.
        const pdb = s.n.get(['pdb', '-n', dep.metadata.namespace, dep.metadata.name]);
        if (pdb.status?.disruptionsAllowed === 0 && ready.length > 0 && evictions.length < 3) {
          const r = evict(s.n, ready[0], true);
          evictions.push(r.status === 0 ? 'allowed' : r.stderr.trim());
        }
        const live = s.n.get(['deployment', '-n', dep.metadata.namespace, dep.metadata.name]);
        const done = live.status.observedGeneration >= live.metadata.generation && live.status.updatedReplicas === dep.spec.replicas
          && live.status.availableReplicas === dep.spec.replicas && pods.length === dep.spec.replicas;
        return done;
      }, 300_000, 500);
      const conn = await tcp;
      const newFlows = duringDrain ? await duringDrain : [];
      fresh = replicasNow(s);
      const flowEnd = conn.startedAt + flowMs;
      print(`3: carrier ${carrier.obj.metadata.name} terminating +${terminatingAt - conn.startedAt} ms after the connection opened; last echo +${conn.lastEchoAt - conn.startedAt} ms `
        + `(flow ${flowMs} ms, drain ${grace} s); error ${conn.error ?? 'none'}; draining on ${s.client.node.name} +${drainingSeenAt - terminatingAt} ms after; `
        + `min ready ${minReady}; evictions ${JSON.stringify(evictions)}; `
        + `new flows during the drain ${JSON.stringify(newFlows.map((f) => f.egress))}`);
      // The established connection kept going through the old replica while it drained: until its own end or the drain's.
      expect(conn.egress).toBe(carrier.pod.ip);
      expect(terminatingAt).toBeGreaterThan(0);
      expect(terminatingAt).toBeLessThan(conn.lastEchoAt);
      expect(conn.lastEchoAt).toBeGreaterThanOrEqual(Math.min(flowEnd, terminatingAt + grace * 1000) - 3000);
      const endedBeforeDrain = terminatingAt + grace * 1000 > flowEnd + 3000;
      if (endedBeforeDrain) expect({ error: conn.error, echoes: conn.echoes }).toEqual({ error: undefined, echoes: conn.sent });
      // New flows during the drain took other replicas; after the rollout, only new replicas carry flows.
      expect(newFlows.length).toBe(8);
      for (const f of newFlows) expect(f.egress).not.toContain(carrier.pod.ip);
      // The PDB held: never more than one replica down, and a second disruption was refused.
      expect(minReady).toBeGreaterThanOrEqual(dep.spec.replicas - 1);
      expect(evictions.length).toBeGreaterThan(0);
      for (const e of evictions) expect(e).toMatch(/disruption budget/);
      expect(fresh.map((r) => r.obj.spec.containers[0].image)).toEqual(fresh.map(() => newImage));
      expect(new Set(fresh.map((r) => r.obj.spec.nodeName)).size).toBe(dep.spec.replicas);
      await steeredTo(s, fresh);
      const after = await udpFlows(s.client, 8, 20, 1000);
      for (const f of after) expect(fresh.map((r) => r.pod.ip)).toContain(f.egress[0]);
    } finally {
      release(old);
      release(fresh);
    }
  });
}
