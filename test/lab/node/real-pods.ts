/**
 * Real Pods seen as the lab's LabPods (test/lab/lab.ts), so the lab's traffic and conntrack helpers work on them: the
 * network namespace of a Pod's running container, which containerd made and Calico's CNI wired, is given a name
 * (`ip netns attach`); the host side of its veth is the node's route to the Pod's address. Nothing of the Pod is made
 * by the lab. Also: the lab's client Pods (the tools image), container logs, and the eviction API.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import { NodeLab } from './node-lab';
import { LAB_PREFIX, LabPod, nsRun, run, waitFor } from '../lab';

const ready = (pod: any) => pod.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
export const isReady = ready;

/** Names the running Pod's network namespace for the lab's helpers; returns it as a LabPod. */
export function attachPod(n: NodeLab, pod: any): LabPod {
  const node = n.lab.nodes.find((x) => x.name === pod.spec.nodeName);
  const running = (pod.status.containerStatuses ?? []).find((c: any) => c.state?.running);
  if (!node || !running) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} is not running on a lab node`);
  const id = running.containerID.split('://')[1];
  const row = n.runtime.ctr(n.lab, node, ['tasks', 'ls']).split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === id);
  if (!row) throw new Error(`containerd of ${node.name} runs no task ${id}`);
  const netns = `${LAB_PREFIX}-p-${crypto.createHash('sha1').update(pod.metadata.uid).digest('hex').slice(0, 10)}`;
  spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  run('ip', ['netns', 'attach', netns, row[1]]);
  const ip = pod.status.podIP as string;
  const hostInterface = JSON.parse(nsRun(node.netns, ['ip', '-j', 'route', 'get', ip]))[0].dev as string;
  return { namespace: pod.metadata.namespace, name: pod.metadata.name, node, netns, ip, hostInterface, containerId: id };
}

/** Drops the name of a Pod's network namespace (the name holds the namespace open after the Pod ends). */
export function detachPod(pod: LabPod): void {
  spawnSync('ip', ['netns', 'del', pod.netns], { stdio: 'ignore' });
}

/** A client Pod from the lab's tools image on a node (by node selector; the scheduler binds it), Ready. */
export async function toolsPod(n: NodeLab, namespace: string, name: string, nodeName: string, labels: Record<string, string>): Promise<LabPod> {
  createToolsPod(n, namespace, name, nodeName, labels);
  return readyPod(n, namespace, name);
}

/** Creates the client Pod of {@link toolsPod} without waiting for it. */
export function createToolsPod(n: NodeLab, namespace: string, name: string, nodeName: string, labels: Record<string, string>): void {
  n.lab.ensureNamespace(namespace);
  n.lab.apply(JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': nodeName },
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'tools', image: n.runtime.toolsImage, imagePullPolicy: 'Never' }],
    },
  }));
}

/** Waits until a Pod is Ready; returns it as a LabPod. */
export async function readyPod(n: NodeLab, namespace: string, name: string): Promise<LabPod> {
  const pod = await waitFor(`${namespace}/${name} Ready`, () => {
    const p = n.get(['pod', '-n', namespace, name]);
    return ready(p) ? p : undefined;
  }, 120_000, 1000);
  return attachPod(n, pod);
}

/** The workload's Pods that are Ready and not terminating. */
export function readyPods(n: NodeLab, workload: any): any[] {
  return n.podsOf(workload).filter((p) => ready(p) && !p.metadata.deletionTimestamp);
}

/** A container's log through the API server and the kubelet (kubectl logs). */
export function logsOf(n: NodeLab, pod: any, container: string): string {
  const r = spawnSync(`${n.lab.bin}/kubectl`, ['--kubeconfig', n.lab.kubeconfig, 'logs', '-n', pod.metadata.namespace, pod.metadata.name, '-c', container],
    { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return r.stdout ?? '';
}

/** An eviction through the API (what `kubectl drain` sends); `dryRun` asks without evicting. Exit status and output. */
export function evict(n: NodeLab, pod: any, dryRun: boolean) {
  const { namespace, name } = pod.metadata;
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, ...(dryRun ? { deleteOptions: { dryRun: ['All'] } } : {}) };
  return spawnSync(`${n.lab.bin}/kubectl`, ['--kubeconfig', n.lab.kubeconfig, 'create', '--raw', `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, '-f', '-'],
    { input: JSON.stringify(body), encoding: 'utf8', timeout: 30_000 });
}
