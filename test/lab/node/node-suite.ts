/**
 * What the real-node suite's behaviours share (node.lab.test.ts starts it): the lab, its client Pods, Prometheus, and
 * the gateway's replicas as they are now, each Pod's network namespace named for the lab's helpers.
 */
import { NodeLab } from './node-lab';
import { LabPrometheus } from './node-prometheus';
import { attachPod, detachPod, logsOf, readyPods } from './real-pods';
import { LabPod, waitFor } from '../lab';

export interface NodeSuite {
  n: NodeLab;
  /** A partners zone Pod on node1 (the tools image). */
  client: LabPod;
  /** A Pod outside every zone on node1. */
  outside: LabPod;
  /** A locked zone Pod (DNS only, no gateway) on node2. */
  locked: LabPod;
  prometheus: LabPrometheus;
}

/** A gateway replica: its Pod object and its network namespace. */
export interface RealReplica {
  readonly obj: any;
  readonly pod: LabPod;
}

/** The gateway's Ready replicas now (detach with {@link release} when done). */
export function replicasNow(s: NodeSuite): RealReplica[] {
  return readyPods(s.n, s.n.kind('Deployment')).map((obj) => ({ obj, pod: attachPod(s.n, obj) }));
}

export function release(replicas: RealReplica[]): void {
  for (const r of replicas) detachPod(r.pod);
}

/** The last health transition the node agent on `nodeName` logged for an address (its container's log). */
export function healthOn(s: NodeSuite, nodeName: string, ip: string): string | undefined {
  const re = new RegExp(`"ip":"${ip.replace(/\./g, '\\.')}","from":"[a-z-]+","to":"([a-z-]+)"`, 'g');
  const all = [...nodeAgentLog(s, nodeName).matchAll(re)];
  return all.length ? all[all.length - 1][1] : undefined;
}

/** The node agent's Pod on `nodeName` (not terminating), or undefined. */
export function nodeAgentOn(s: NodeSuite, nodeName: string): any {
  return s.n.podsOf(s.n.kind('DaemonSet')).find((p) => p.spec.nodeName === nodeName && !p.metadata.deletionTimestamp);
}

/** The log of the node agent's container on `nodeName` ('' when there is none). */
export function nodeAgentLog(s: NodeSuite, nodeName: string): string {
  const agent = nodeAgentOn(s, nodeName);
  return agent ? logsOf(s.n, agent, 'egress-nat') : '';
}

/** The log of a gateway replica's agent container. */
export function gatewayLog(s: NodeSuite, r: RealReplica): string {
  return logsOf(s.n, r.obj, 'egress-gateway');
}

/** Waits until the node agent of the client's node steers to every one of these replicas as ready. */
export async function steeredTo(s: NodeSuite, replicas: RealReplica[]): Promise<void> {
  await waitFor(`replicas ${replicas.map((r) => r.pod.ip).join(', ')} ready on ${s.client.node.name}`,
    () => replicas.every((r) => healthOn(s, s.client.node.name, r.pod.ip) === 'ready'), 90_000, 1000);
}

/** A copy of a workload whose containers (init containers too: one release) run `image:tag`'s same image under `tag`. */
export function retagged(workload: any, tag: string): any {
  const w = JSON.parse(JSON.stringify(workload));
  const spec = w.spec.template.spec;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) c.image = c.image.replace(/:[^:/]+$/, `:${tag}`);
  return w;
}

/** Gives the workload's image a second tag in every node's containerd (what a new release's pull would bring). */
export function tagOnNodes(s: NodeSuite, workload: any, tag: string): string {
  const image = workload.spec.template.spec.containers[0].image as string;
  const target = image.replace(/:[^:/]+$/, `:${tag}`);
  for (const node of s.n.lab.nodes) s.n.runtime.ctr(s.n.lab, node, ['images', 'tag', '--force', image, target]);
  return target;
}
