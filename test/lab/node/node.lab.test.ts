/**
 * Issue 23 on real lab nodes (node-lab.ts): the example's manifests, applied as they are, run on kubelets from the
 * images CI built. Behaviour 1: every object the example emits is there, its workloads running, and nothing was started
 * by hand. Behaviour 7: a manifest mistake (wrong mount path, missing capability, wrong probe port) now fails in the lab.
 */
import * as fs from 'fs';
import { NodeLab } from './node-lab';
import { nodeUnavailableReason } from './node-runtime';
import { nodeCgroupRoot } from './teardown';
import { LAB_PREFIX, waitFor } from '../lab';
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

  beforeAll(async () => {
    n = await NodeLab.start();
    await n.workloadsRolledOut();
  });
  afterAll(() => {
    if (process.env.EGRESS_LAB_DEBUG) console.log(n?.lab.logTails()); // eslint-disable-line no-console
    n?.stop();
  });

  test('1: every object the example emits is stored, and its workloads run from our images, placed by the scheduler', () => {
    // Every emitted object is there (the Calico kinds through the projectcalico.org/v3 CRDs they were applied to).
    for (const d of n.docs) {
      const ns = d.metadata.namespace ? ['-n', d.metadata.namespace] : [];
      const group = d.apiVersion.includes('/') ? `.${d.apiVersion.split('/')[0]}` : '';
      expect(n.get([`${d.kind.toLowerCase()}${group}`, d.metadata.name, ...ns]).metadata.name).toBe(d.metadata.name);
    }
    const workloads = n.docs.filter((d) => d.kind === 'Deployment' || d.kind === 'DaemonSet');
    expect(workloads.map((w) => w.kind).sort()).toEqual(['DaemonSet', 'Deployment']);
    for (const w of workloads) {
      const live = n.get([w.kind.toLowerCase(), '-n', w.metadata.namespace, w.metadata.name]);
      if (w.kind === 'Deployment') {
        expect({ ready: live.status.readyReplicas, updated: live.status.updatedReplicas }).toEqual({ ready: w.spec.replicas, updated: w.spec.replicas });
      } else {
        expect({ desired: live.status.desiredNumberScheduled, ready: live.status.numberReady }).toEqual({ desired: n.lab.nodes.length, ready: n.lab.nodes.length });
      }
      const pods = n.podsOf(w);
      const image = w.spec.template.spec.containers[0].image;
      expect(image.startsWith(`${n.registry}/`)).toBe(true);
      for (const pod of pods) {
        // Made by its controller, bound by the scheduler (the template names no node), run by the kubelet.
        expect(pod.metadata.ownerReferences.find((o: any) => o.controller).kind).toBe(w.kind === 'Deployment' ? 'ReplicaSet' : 'DaemonSet');
        expect(w.spec.template.spec.nodeName).toBeUndefined();
        expect(pod.status.phase).toBe('Running');
        const c = pod.status.containerStatuses[0];
        expect({ image: c.image, ready: c.ready, runtime: c.containerID.split('://')[0] }).toEqual({ image, ready: true, runtime: 'containerd' });
        const node = n.lab.nodes.find((x) => x.name === pod.spec.nodeName)!;
        expect(n.runtime.ctr(n.lab, node, ['containers', 'ls', '-q'])).toContain(c.containerID.split('://')[1]);
      }
      if (w.kind === 'Deployment') {
        // Required anti-affinity: one replica per node.
        expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(w.spec.replicas);
      }
    }
    // Nothing started by hand: every agent process on this machine runs in a pod cgroup of a lab kubelet.
    const agents = processes('/app/agent/main.js');
    const expected = workloads.reduce((sum, w) => sum + (w.kind === 'Deployment' ? w.spec.replicas : n.lab.nodes.length), 0);
    expect(agents).toHaveLength(expected);
    const roots = n.lab.nodes.map((x) => `${nodeCgroupRoot(LAB_PREFIX, x.name)}/kubepods`);
    for (const a of agents) expect(roots.some((r) => a.cgroup.startsWith(r))).toBe(true);
  });

  /** The DaemonSet's container, changed by `mistake`; the symptom the kubelet reports on a Pod of the broken revision. */
  const mistakes: [string, (c: any) => void, (pod: any) => string | undefined][] = [
    ['a wrong mount path of the data-path config', (c) => {
      c.volumeMounts = c.volumeMounts.map((m: any) => (m.mountPath === '/tmp' ? m : { ...m, mountPath: `${m.mountPath}-moved` }));
    }, crashed],
    ['a missing capability (NET_ADMIN dropped)', (c) => {
      c.securityContext = { ...c.securityContext, capabilities: { ...c.securityContext.capabilities, add: [] } };
    }, crashed],
    ['a wrong readiness probe port', (c) => {
      c.readinessProbe = { ...c.readinessProbe, httpGet: { ...c.readinessProbe.httpGet, port: 9 } };
    }, (pod) => {
      const c = pod.status.containerStatuses?.[0];
      return c?.state?.running && !c.ready && c.restartCount === 0 ? 'running, never ready' : undefined;
    }],
  ];

  function crashed(pod: any): string | undefined {
    const c = pod.status.containerStatuses?.[0];
    const reason = c?.state?.waiting?.reason ?? c?.lastState?.terminated?.reason;
    return c && !c.ready && c.restartCount > 0 && reason ? `restarted ${c.restartCount}x (${reason})` : undefined;
  }

  test.each(mistakes)('7: %s fails on the kubelet, and the rollout stops there', async (_what, mistake, symptom) => {
    const ds = n.kind('DaemonSet');
    const broken = JSON.parse(JSON.stringify(ds));
    mistake(broken.spec.template.spec.containers[0]);
    n.apply([broken]);
    try {
      const seen = await waitFor('a Pod of the broken DaemonSet showing the mistake', () => {
        const generation = n.get(['daemonset', '-n', ds.metadata.namespace, ds.metadata.name]).metadata.generation;
        for (const pod of n.podsOf(ds)) {
          const rev = pod.metadata.labels['pod-template-generation'];
          if (Number(rev) === generation) return symptom(pod);
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
