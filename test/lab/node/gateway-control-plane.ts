/**
 * Behaviour 2 of issue 23, the gateway lab's control-plane behaviours (test/lab/gateway, 7, 8, 9 and 12) on real
 * nodes: the client node's agent down (frozen, then killed through the runtime and restarted by the kubelet) while a
 * zone Pod is created, the API server restarted while that agent is frozen through the runtime (`ctr tasks pause`), and
 * the data-path ConfigMap changed with server-side apply, reaching the agents as the kubelet updates their ConfigMap
 * volumes (a bad update, then a 10,000-prefix allow-list and a change of it).
 */
import { gatewayLog, nodeAgentLog, nodeAgentOn, NodeSuite, RealReplica, release, replicasNow, steeredTo } from './node-suite';
import { createToolsPod, detachPod, readyPod } from './real-pods';
import { fillerPrefix, fillersFor, tableUpdateIn, withFillers } from '../gateway/agent-logs';
import { tcpFlow, udpFlows } from '../gateway/gateway-traffic';
import { LabPod, nsRun, sleep, waitFor } from '../lab';

const print = (line: string) => console.log(line); // eslint-disable-line no-console
const REJECTED = /configuration rejected; the running rules are kept.*vxlanPort/;

/** The emitted data-path ConfigMap with its file replaced, applied (the kubelets update the mounted file). */
function writeConfig(s: NodeSuite, text: string): void {
  const cm = s.n.kind('ConfigMap', 'egress-data-path');
  s.n.apply([{ ...cm, data: { ...cm.data, 'data-path.json': text } }]);
}

const goodConfig = (s: NodeSuite): string => s.n.kind('ConfigMap', 'egress-data-path').data['data-path.json'];

/** The node agent's table on the client's node, without what changes by itself (counters, timeouts' countdown). */
function nodeTable(s: NodeSuite): string {
  return nsRun(s.client.node.netns, ['nft', 'list', 'table', 'inet', 'cdk8s_egress_node'])
    .replace(/counter packets \d+ bytes \d+/g, '').replace(/ expires [\dhms.]+/g, '');
}

export function gatewayControlPlane(s: NodeSuite): void {
  test('2.7 node agent restart: the client node\'s agent frozen while a zone Pod is created, then SIGKILLed through the runtime and restarted by the kubelet; flows go on meanwhile and the new Pod is steered', async () => {
    const node = s.client.node;
    const container = nodeAgentOn(s, node.name).status.containerStatuses.find((c: any) => c.name === 'egress-nat');
    const id = container.containerID.split('://')[1];
    const replicas = replicasNow(s);
    let late: LabPod | undefined;
    try {
      await steeredTo(s, replicas);
      const flowMs = 40_000;
      const streamEnds = Date.now() + flowMs;
      const stream = udpFlows(s.client, 8, 10, flowMs);
      await sleep(1000);
      // Down from here: frozen by the runtime (its liveness probe allows 30 s) while the Pod is created and becomes
      // Ready, so it never sees the Pod; then SIGKILLed (runc thaws a frozen task for SIGKILL: it dies before it runs).
      const downAt = Date.now();
      s.n.runtime.ctr(s.n.lab, node, ['tasks', 'pause', id]);
      let killed = false;
      let steeredWhileDown: boolean | undefined;
      try {
        createToolsPod(s.n, 'partners', 'partner-late', node.name, { app: 'sync' });
        late = await readyPod(s.n, 'partners', 'partner-late');
        steeredWhileDown = nodeTable(s).includes(late.ip);
        s.n.runtime.ctr(s.n.lab, node, ['tasks', 'kill', '--signal', 'SIGKILL', id]);
        killed = true;
      } finally {
        if (!killed) s.n.runtime.ctr(s.n.lab, node, ['tasks', 'resume', id]);
      }
      const killedAt = Date.now();
      const back = await waitFor('the kubelet restarted the node agent, Ready', () => {
        const c = nodeAgentOn(s, node.name).status.containerStatuses.find((x: any) => x.name === 'egress-nat');
        return c.restartCount > container.restartCount && c.ready && c.containerID !== container.containerID ? c : undefined;
      }, 120_000, 500);
      const backAt = Date.now();
      const ip = late.ip;
      await waitFor('the pod created while it was down is steered', () => nodeTable(s).includes(ip), 60_000, 500);
      const flows = await stream;
      print(`2.7: agent down ${backAt - downAt} ms (frozen ${killedAt - downAt} ms, then killed; the kubelet's restart and its probes the rest); `
        + `restarts ${container.restartCount} -> ${back.restartCount}; flows ${JSON.stringify(flows.map((f) => ({ egress: f.egress, lost: f.sent - f.received, gap: f.maxGapMs })))}`);
      expect(steeredWhileDown).toBe(false); // nobody steered it while the agent was down
      expect(backAt).toBeLessThan(streamEnds - 1000); // the flows outlasted the outage
      for (const f of flows) {
        expect(f.egress).toHaveLength(1); // steered throughout: the kernel kept the rules
        expect(f.received).toBeGreaterThan(f.sent * 0.9);
      }
      await s.n.lab.waitForEndpoint(late);
      const [f] = await udpFlows(late, 1, 20, 1000);
      expect(replicas.map((r) => r.pod.ip)).toContain(f.egress[0]);
      expect(f.received).toBeGreaterThan(0);
    } finally {
      release(replicas);
      if (late) detachPod(late);
      // A bare Pod: `kubectl drain` (behaviour 5) would refuse its node.
      s.n.lab.kubectl(['delete', 'pod', '-n', 'partners', 'partner-late', '--ignore-not-found', '--wait=true']);
    }
  });

  test('2.8 API server restart: the watches reconnect, relist after "410 Gone", and a pod created while the node agent was frozen is steered', async () => {
    const node = s.client.node;
    const agent = nodeAgentOn(s, node.name);
    const container = agent.status.containerStatuses.find((c: any) => c.name === 'egress-nat');
    const id = container.containerID.split('://')[1];
    const mark = nodeAgentLog(s, node.name).length;
    const replicas = replicasNow(s);
    let away: LabPod | undefined;
    try {
      const stream = udpFlows(s.client, 4, 10, 20_000);
      await sleep(500);
      // As in the gateway lab: the agent is cut off (frozen, here by the runtime's freezer) while the API server
      // restarts; the pod is created after the restart and history is compacted past it, so resuming from the agent's
      // last resourceVersion can only end in 410 Gone.
      s.n.runtime.ctr(s.n.lab, node, ['tasks', 'pause', id]);
      let compacted = 0;
      const frozenAt = Date.now();
      try {
        await s.n.lab.restartApiServer();
        createToolsPod(s.n, 'partners', 'partner-while-away', node.name, { app: 'sync' });
        compacted = s.n.lab.etcdCompact();
      } finally {
        s.n.runtime.ctr(s.n.lab, node, ['tasks', 'resume', id]);
      }
      const frozenMs = Date.now() - frozenAt;
      away = await readyPod(s.n, 'partners', 'partner-while-away');
      const ip = away.ip;
      await waitFor('the pod created while away is steered', () => nsRun(node.netns, ['nft', 'list', 'table', 'inet', 'cdk8s_egress_node']).includes(ip), 60_000, 500);
      // The same container all along (a liveness restart would have made this a fresh start, not a reconnection).
      const live = nodeAgentOn(s, node.name).status.containerStatuses.find((c: any) => c.name === 'egress-nat');
      expect({ id: live.containerID, restarts: live.restartCount }).toEqual({ id: container.containerID, restarts: container.restartCount });
      const watchLog = nodeAgentLog(s, node.name).slice(mark).split('\n').filter((l) => /watch|list/.test(l));
      const resumed = [...watchLog.join('\n').matchAll(/"msg":"watch reconnecting","resource":"pods","from":"(\d+)"/g)].map((m) => Number(m[1]));
      print(`2.8: frozen ${frozenMs} ms; ${node.name}'s agent around the API server restart:\n${watchLog.join('\n')}`);
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed[0]).toBeLessThan(compacted); // it resumed from a compacted revision: only a relist shows the pod
      const flows = await stream;
      for (const f of flows) expect(f.egress).toHaveLength(1); // the data path went on meanwhile
      await s.n.lab.waitForEndpoint(away);
      const [f] = await udpFlows(away, 1, 20, 1000);
      expect(replicas.map((r) => r.pod.ip)).toContain(f.egress[0]);
    } finally {
      release(replicas);
      if (away) detachPod(away);
      // A bare Pod: `kubectl drain` (behaviour 5) would refuse its node.
      s.n.lab.kubectl(['delete', 'pod', '-n', 'partners', 'partner-while-away', '--ignore-not-found', '--wait=true']);
    }
  });

  test('2.9 a bad ConfigMap update is rejected by every agent, and the last good rules stay', async () => {
    const bad = JSON.parse(goodConfig(s));
    bad.gateways[0].vxlanPort = 70000;
    const replicas = replicasNow(s);
    const node = s.client.node.name;
    try {
      const marks = { node: nodeAgentLog(s, node).length, gw: replicas.map((r) => gatewayLog(s, r).length) };
      const before = nodeTable(s);
      const flowMs = 40_000;
      const stream = udpFlows(s.client, 4, 10, flowMs);
      const t0 = Date.now();
      writeConfig(s, JSON.stringify(bad));
      await waitFor(`the node agent on ${node} rejects it`, () => REJECTED.test(nodeAgentLog(s, node).slice(marks.node)), 90_000, 1000);
      for (const [i, r] of replicas.entries()) {
        await waitFor(`${r.obj.metadata.name} rejects it`, () => REJECTED.test(gatewayLog(s, r).slice(marks.gw[i])), 90_000, 1000);
      }
      const rejectedAfter = Date.now() - t0;
      const flows = await stream;
      print(`2.9: ConfigMap applied to rejected by all three agents ${rejectedAfter} ms (the kubelets' volume sync)`);
      expect(rejectedAfter).toBeLessThan(flowMs - 1000); // rejected under the flows
      for (const f of flows) {
        expect(f.egress).toHaveLength(1);
        expect(f.received).toBeGreaterThan(f.sent * 0.9);
      }
      expect(nodeTable(s)).toEqual(before);
    } finally {
      writeConfig(s, goodConfig(s));
      release(replicas);
    }
  });

  test('2.12 a change to a 10,000-prefix allow-list in the ConfigMap reaches the gateways as an in-place edit of one map, leaving established flows alone', async () => {
    const good = goodConfig(s);
    const n = fillersFor(good, 10_000);
    const replicas = replicasNow(s);
    // [1] added, [2] removed, [3] nft ms (the /24 map edited in place with the chains' refill: nft-table-swap.ts)
    const updated = (r: RealReplica, from: number) => tableUpdateIn(gatewayLog(s, r).slice(from));
    let marks = replicas.map((r) => gatewayLog(s, r).length);
    try {
      await steeredTo(s, replicas);
      // Compact JSON: 10,000 prefixes indented would pass the 1 MiB a ConfigMap may hold.
      writeConfig(s, withFillers(good, Array.from({ length: n }, (_, i) => fillerPrefix(i))));
      for (const [i, r] of replicas.entries()) await waitFor('10,000 prefixes loaded', () => updated(r, marks[i]), 120_000, 1000);
      const first = replicas.map((r, i) => updated(r, marks[i])!);
      // The change under test: -100 / +100 prefixes, while flows run (longer than the kubelets' volume sync).
      const flowMs = 45_000;
      const stream = udpFlows(s.client, 8, 10, flowMs);
      const tcp = tcpFlow(s.client, 20, flowMs);
      await sleep(1000);
      marks = replicas.map((r) => gatewayLog(s, r).length);
      const t0 = Date.now();
      const kept = Array.from({ length: n - 100 }, (_, i) => fillerPrefix(i + 100));
      writeConfig(s, withFillers(good, [...kept, ...Array.from({ length: 100 }, (_, i) => fillerPrefix(i, 40))]));
      for (const [i, r] of replicas.entries()) await waitFor('change applied', () => updated(r, marks[i]), 60_000, 500);
      const wall = Date.now() - t0;
      const change = replicas.map((r, i) => updated(r, marks[i])!);
      const [flows, conn] = await Promise.all([stream, tcp]);
      print(`2.12 REAL-NODE ALLOW-LIST: first load of 10,000 prefixes nft ${first.map((m) => m[3]).join(' / ')} ms; -100/+100 change nft ${change.map((m) => m[3]).join(' / ')} ms `
        + `on the two replicas; ConfigMap apply to applied on both ${wall} ms (polled; the kubelets' volume sync); TCP ${conn.echoes}/${conn.sent} echoed`);
      expect(wall).toBeLessThan(flowMs - 2000); // the change happened under the flows
      for (const c of change) expect([Number(c[1]), Number(c[2])]).toEqual([100, 100]);
      for (const c of change) expect(Number(c[3])).toBeLessThan(1000);
      for (const f of flows) {
        expect(f.egress).toHaveLength(1);
        expect(f.received).toBeGreaterThan(f.sent * 0.9);
      }
      expect({ error: conn.error, echoes: conn.echoes }).toEqual({ error: undefined, echoes: conn.sent });
    } finally {
      marks = replicas.map((r) => gatewayLog(s, r).length);
      writeConfig(s, good);
      // (Not waited for if the 10,000 never loaded: there is nothing to take back then, and the failure above stands.)
      for (const [i, r] of replicas.entries()) await waitFor('back to the example list', () => updated(r, marks[i]), 120_000, 1000).catch(() => undefined);
      release(replicas);
    }
  });
}
