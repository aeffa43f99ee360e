/**
 * Issue 23 on real lab nodes (node-lab.ts): the example's manifests, applied as they are, run on kubelets from the
 * images CI built. Behaviour 1: every object the example emits is stored, the egress-nat DaemonSet and the gateway
 * Deployment are scheduled and run from our images by the kubelets (nothing started by hand), and kube-proxy serves
 * `kubernetes.default` to the nodes. Then, with the zone pods as real Pods: behaviour 2 (the gateway lab's twelve:
 * gateway-behaviours.ts, and after 6, Prometheus in prometheus-behaviour.ts, the failures and the control plane's
 * part in gateway-failover.ts and gateway-control-plane.ts), 3 (the gateway Deployment's rolling update,
 * gateway-rollout.ts), 5 and 4 (a node drain, the DaemonSet's rolling update, node-disruptions.ts), and last 7: a
 * manifest mistake (wrong mount path, missing capability, wrong probe port) fails in the lab.
 */
import * as fs from 'fs';
import { gatewayBehaviours } from './gateway-behaviours';
import { gatewayControlPlane } from './gateway-control-plane';
import { gatewayFailover } from './gateway-failover';
import { gatewayRollout } from './gateway-rollout';
import { nodeDisruptions } from './node-disruptions';
import { MONITORING_API, NodeLab } from './node-lab';
import { LabPrometheus } from './node-prometheus';
import { nodeUnavailableReason } from './node-runtime';
import { NodeSuite } from './node-suite';
import { prometheusBehaviour } from './prometheus-behaviour';
import { toolsPod } from './real-pods';
import { nodeCgroupRoot } from './teardown';
import { Cidr } from '../../../src/model/cidr';
import { LAB_PREFIX, nsRun, waitFor } from '../lab';
import { describeLab } from '../suite';

jest.setTimeout(900_000);

/** Processes on this machine whose command line contains `needle`, with their cgroup (pids controller). */
function processes(needle: string): { pid: number; cgroup: string }[] {
  const found: { pid: number; cgroup: string }[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) continue;
      const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /:pids:/.test(l)) ?? '';
      found.push({ pid: Number(pid), cgroup: line.split(':')[2] ?? '' });
    } catch { /* exited */ }
  }
  return found;
}

describeLab('lab: the example on real nodes (kubelet, containerd, scheduler, kube-proxy)', () => {
  let n: NodeLab;
  const s = {} as NodeSuite;

  beforeAll(async () => {
    n = await NodeLab.start();
    s.n = n;
    await n.workloadsRolledOut(['DaemonSet', 'Deployment']);
    const node1 = n.lab.nodes[0].name;
    s.client = await toolsPod(n, 'partners', 'partner-sync', node1, { app: 'sync' });
    s.outside = await toolsPod(n, 'plain', 'outside', node1, { app: 'x' });
    s.locked = await toolsPod(n, 'sandbox', 'locked', n.lab.nodes[1].name, { app: 'untrusted' });
    s.prometheus = await LabPrometheus.start(n, n.lab.nodes[0]);
  });
  afterAll(() => {
    if (process.env.EGRESS_LAB_DEBUG) console.log(n?.lab.logTails()); // eslint-disable-line no-console
    n?.stop();
  });

  test('1: every object the example emits is stored; the node agent and the gateway run from our images, placed by their controllers and the scheduler, nothing by hand', () => {
    // Every emitted object is there (the Calico kinds through the projectcalico.org/v3 CRDs they were applied to), but
    // the Prometheus operator's kinds: no operator here (behaviour 6 reads them as a static scrape configuration).
    for (const d of n.docs.filter((x) => x.apiVersion !== MONITORING_API)) {
      const ns = d.metadata.namespace ? ['-n', d.metadata.namespace] : [];
      const group = d.apiVersion.includes('/') ? `.${d.apiVersion.split('/')[0]}` : '';
      expect(n.get([`${d.kind.toLowerCase()}${group}`, d.metadata.name, ...ns]).metadata.name).toBe(d.metadata.name);
    }
    const ds = n.kind('DaemonSet');
    const live = n.get(['daemonset', '-n', ds.metadata.namespace, ds.metadata.name]);
    const nodes = n.lab.nodes.length;
    expect({ desired: live.status.desiredNumberScheduled, ready: live.status.numberReady }).toEqual({ desired: nodes, ready: nodes });
    const image = ds.spec.template.spec.containers[0].image;
    expect(image.startsWith(`${n.registry}/egress-nat:`)).toBe(true);
    const pods = n.podsOf(ds);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(n.lab.nodes.map((x) => x.name).sort());
    for (const pod of pods) {
      // Made by its controller, bound by the scheduler (the template names no node), run by the kubelet.
      expect(pod.metadata.ownerReferences.find((o: any) => o.controller).kind).toBe('DaemonSet');
      expect(ds.spec.template.spec.nodeName).toBeUndefined();
      expect(pod.status.phase).toBe('Running');
      const c = pod.status.containerStatuses[0];
      expect({ image: c.image, ready: c.ready, runtime: c.containerID.split('://')[0] }).toEqual({ image, ready: true, runtime: 'containerd' });
      const node = n.lab.nodes.find((x) => x.name === pod.spec.nodeName)!;
      expect(n.runtime.ctr(n.lab, node, ['containers', 'ls', '-q'])).toContain(c.containerID.split('://')[1]);
    }
    // The gateway Deployment: its replicas made by a ReplicaSet, one per node (required anti-affinity), from our image,
    // Ready by the kubelet's probes, with addresses from the egress pool (calico-ipam, through the emitted annotation).
    const dep = n.kind('Deployment');
    const replicas = n.podsOf(dep);
    expect(replicas).toHaveLength(dep.spec.replicas);
    expect(new Set(replicas.map((p) => p.spec.nodeName)).size).toBe(dep.spec.replicas);
    const gwImage = dep.spec.template.spec.containers[0].image;
    expect(gwImage.startsWith(`${n.registry}/egress-gateway:`)).toBe(true);
    const pool = n.docs.find((d) => d.kind === 'IPPool' && d.metadata.name === JSON.parse(dep.spec.template.metadata.annotations['cni.projectcalico.org/ipv4pools'])[0]);
    for (const pod of replicas) {
      expect(pod.metadata.ownerReferences.find((o: any) => o.controller).kind).toBe('ReplicaSet');
      const c = pod.status.containerStatuses.find((x: any) => x.name === 'egress-gateway');
      expect({ image: c.image, ready: c.ready }).toEqual({ image: gwImage, ready: true });
      expect(pod.status.initContainerStatuses.map((x: any) => x.state.terminated?.exitCode)).toEqual([0]);
      expect(Cidr.parse(pool.spec.cidr).containsAddress(pod.status.podIP)).toBe(true);
    }
    // Nothing started by hand: every agent process on this machine runs in a pod cgroup of a lab kubelet.
    const roots = n.lab.nodes.map((x) => `${nodeCgroupRoot(LAB_PREFIX, x.name)}/kubepods`);
    for (const [mode, count] of [['node', n.lab.nodes.length], ['gateway', dep.spec.replicas]] as const) {
      const agents = processes(`/app/agent/main.js\0${mode}\0`);
      expect(agents).toHaveLength(count);
      for (const a of agents) expect(roots.some((r) => a.cgroup.startsWith(r))).toBe(true);
    }
    // kube-proxy (nftables) serves `kubernetes.default` on every node: the address the agent's in-cluster config uses.
    for (const node of n.lab.nodes) {
      expect(nsRun(node.netns, ['curl', '-sk', '--max-time', '5', 'https://10.96.0.1/healthz'])).toBe('ok');
    }
  });

  gatewayBehaviours(s);
  prometheusBehaviour(s); // before the failures: its targets are the replicas of the start (node-prometheus.ts)
  gatewayFailover(s);
  gatewayControlPlane(s);
  gatewayRollout(s);
  nodeDisruptions(s);

  /**
   * The DaemonSet's container, changed by `mistake`. What the kubelet reports of a Pod of the broken revision: never
   * Ready (restarting or running), while its logs say why.
   */
  const mistakes: [string, (c: any) => void][] = [
    ['a wrong mount path of the data-path config', (c) => {
      c.volumeMounts = c.volumeMounts.map((m: any) => (m.mountPath === '/tmp' ? m : { ...m, mountPath: `${m.mountPath}-moved` }));
    }],
    ['a missing capability (NET_ADMIN dropped)', (c) => {
      c.securityContext = { ...c.securityContext, capabilities: { ...c.securityContext.capabilities, add: [] } };
    }],
    ['a wrong readiness probe port', (c) => {
      c.readinessProbe = { ...c.readinessProbe, httpGet: { ...c.readinessProbe.httpGet, port: 9 } };
    }],
  ];

  /** The Pod's container has existed for 30 s and was never Ready since it started (its restarts included). */
  function neverReady(pod: any): string | undefined {
    const c = pod.status.containerStatuses?.[0];
    const since = Date.parse(pod.status.startTime ?? '');
    return c && !c.ready && Date.now() - since > 30_000 ? `not ready after ${Math.round((Date.now() - since) / 1000)} s, ${c.restartCount} restarts` : undefined;
  }

  test.each(mistakes)('7: %s fails on the kubelet, and the rollout stops there', async (_what, mistake) => {
    const ds = n.kind('DaemonSet');
    const broken = JSON.parse(JSON.stringify(ds));
    mistake(broken.spec.template.spec.containers[0]);
    n.apply([broken]);
    try {
      const seen = await waitFor('a Pod of the broken DaemonSet showing the mistake', () => {
        const generation = n.get(['daemonset', '-n', ds.metadata.namespace, ds.metadata.name]).metadata.generation;
        for (const pod of n.podsOf(ds)) {
          const rev = pod.metadata.labels['pod-template-generation'];
          if (Number(rev) === generation) return neverReady(pod);
        }
        return undefined;
      }, 180_000, 2000);
      expect(seen).toBeTruthy();
      const live = n.get(['daemonset', '-n', ds.metadata.namespace, ds.metadata.name]);
      expect(live.status.numberReady).toBeLessThan(n.lab.nodes.length);
    } finally {
      n.apply([ds]);
      n.rolledOut(ds);
    }
    const live = n.get(['daemonset', '-n', ds.metadata.namespace, ds.metadata.name]);
    expect(live.status.numberReady).toBe(n.lab.nodes.length);
  });
}, nodeUnavailableReason);
