/**
 * Behaviours 5 and 4 of issue 23 on real nodes: `kubectl drain` of a gateway node (evictions, the PodDisruptionBudget,
 * flows moving once with at most the failover gap), and a rolling update of the `egress-nat` DaemonSet that moves no flow.
 */
import { spawn } from 'child_process';
import { NodeSuite, RealReplica, release, replicasNow, retagged, steeredTo, tagOnNodes } from './node-suite';
import { evict } from './real-pods';
import { forgetUdp, tcpFlow, udpFlows } from '../gateway/gateway-traffic';
import { sleep, waitFor } from '../lab';

const print = (line: string) => console.log(line); // eslint-disable-line no-console
/** The failover gap's ceiling the gateway lab holds the EndpointSlice path to (test/lab/gateway, behaviour 4b). */
const FAILOVER_GAP_MS = 1000;

/** kubectl, without blocking the event loop (the traffic's child processes report through it). */
function kubectlAsync(s: NodeSuite, args: string[], seen = { out: '' }): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(`${s.n.lab.bin}/kubectl`, ['--kubeconfig', s.n.lab.kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (d) => (seen.out += d));
    p.stderr.on('data', (d) => (seen.out += d));
    p.on('close', (status) => resolve({ status, out: seen.out }));
  });
}

export function nodeDisruptions(s: NodeSuite): void {
  test('5. kubectl drain of a gateway node: its replica is evicted within the PDB, a second eviction is refused, its flows move once within the failover gap', async () => {
    const dep = s.n.kind('Deployment');
    const replicas = replicasNow(s);
    let back: RealReplica[] = [];
    const drained = s.n.lab.nodes.find((x) => x !== s.client.node)!;
    try {
      await steeredTo(s, replicas);
      const victim = replicas.find((r) => r.obj.spec.nodeName === drained.name)!;
      const survivor = replicas.find((r) => r !== victim)!;
      forgetUdp(replicas);
      // Longer than the drain (the victim keeps its pinned flows for drainGraceSeconds while they are active).
      const stream = udpFlows(s.client, 8, 5, 45_000);
      await sleep(1500);
      const seen = { out: '' };
      const drain = kubectlAsync(s, ['drain', drained.name, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s'], seen);
      const refusals: string[] = [];
      await waitFor('the victim terminating', () => s.n.podsOf(dep).find((p) => p.metadata.uid === victim.obj.metadata.uid)?.metadata.deletionTimestamp, 60_000, 500)
        .catch((e) => { throw new Error(`${(e as Error).message}; kubectl drain said: ${seen.out}`); });
      // The survivor may not be evicted as well while the victim is down.
      for (let i = 0; i < 3; i++) {
        const r = evict(s.n, survivor.obj, true);
        refusals.push(r.status === 0 ? 'allowed' : r.stderr.trim());
        await sleep(1000);
      }
      const [flows, result] = await Promise.all([stream, drain]);
      const moved = flows.filter((f) => f.egress[0] === victim.pod.ip);
      print(`5: drain exit ${result.status}; refusals ${JSON.stringify(refusals)}; flows ${JSON.stringify(flows.map((f) => ({ egress: f.egress, gap: f.maxGapMs, lost: f.sent - f.received })))}`);
      expect(result.status).toBe(0);
      expect(result.out).toContain(`evicting pod ${dep.metadata.namespace}/${victim.obj.metadata.name}`);
      for (const r of refusals) expect(r).toMatch(/disruption budget/);
      expect(moved.length).toBeGreaterThan(0);
      for (const f of moved) {
        expect(f.egress).toEqual([victim.pod.ip, survivor.pod.ip]); // moved once, to the survivor
        expect(f.maxGapMs).toBeLessThan(FAILOVER_GAP_MS);
      }
      for (const f of flows.filter((x) => !moved.includes(x))) expect(f.egress).toEqual([survivor.pod.ip]);
      // The replacement waits: the drained node is cordoned, the other one holds a replica (required anti-affinity).
      const live = s.n.get(['deployment', '-n', dep.metadata.namespace, dep.metadata.name]);
      expect(live.status.availableReplicas).toBe(dep.spec.replicas - 1);
    } finally {
      s.n.lab.kubectl(['uncordon', drained.name]);
      s.n.rolledOut(dep);
      release(replicas);
    }
    back = replicasNow(s);
    try {
      expect(back.map((r) => r.obj.spec.nodeName).sort()).toEqual(s.n.lab.nodes.map((x) => x.name).sort());
    } finally {
      release(back);
    }
  });

  test('4. a rolling update of the egress-nat DaemonSet (a new image tag) moves no flow', async () => {
    const ds = s.n.kind('DaemonSet');
    const replicas = replicasNow(s);
    try {
      await steeredTo(s, replicas);
      const newImage = tagOnNodes(s, ds, 'lab-rollout');
      forgetUdp(replicas);
      const flowMs = 60_000;
      const stream = udpFlows(s.client, 8, 10, flowMs);
      const tcp = tcpFlow(s.client, 200, flowMs);
      await sleep(1000);
      const started = Date.now();
      s.n.apply([retagged(ds, 'lab-rollout')]);
      const rollout = await kubectlAsync(s, ['rollout', 'status', '-n', ds.metadata.namespace, `daemonset/${ds.metadata.name}`, '--timeout=120s']);
      const rolledOutAfter = Date.now() - started;
      const [flows, conn] = await Promise.all([stream, tcp]);
      const pods = s.n.podsOf(ds);
      print(`4: DaemonSet rolled out in ${rolledOutAfter} ms under the flows; UDP ${JSON.stringify(flows.map((f) => ({ egress: f.egress, gap: f.maxGapMs, lost: f.sent - f.received })))}; `
        + `TCP error ${conn.error ?? 'none'}, echoes ${conn.echoes}/${conn.sent}, worst gap ${conn.maxGapMs} ms`);
      expect(rollout.status).toBe(0);
      expect(rolledOutAfter).toBeLessThan(flowMs - 2000); // the whole rollout happened under the flows
      expect(pods.map((p) => p.spec.containers[0].image)).toEqual(pods.map(() => newImage));
      for (const f of flows) {
        expect(f.egress).toHaveLength(1); // no flow changed replica
        expect(f.received).toBeGreaterThan(f.sent * 0.95);
      }
      expect({ error: conn.error, echoes: conn.echoes }).toEqual({ error: undefined, echoes: conn.sent });
    } finally {
      release(replicas);
    }
  });
}
