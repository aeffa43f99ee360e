/**
 * The example estate on real lab nodes (issue 23): the lab (test/lab/lab.ts) with kubelets, containerd, kube-proxy and
 * kube-scheduler (node-runtime.ts), and the example's manifests, synthesized with `registry` pointed at the local name
 * the images were imported under and the gateway's monitoring objects asked for (plus the gateway lab's one rule for its
 * UDP echo), applied with server-side apply. The Deployment, the DaemonSet and their Pods are the controllers', the
 * scheduler's and the kubelets' work from there on. The Prometheus-operator kinds are not applied (no operator here):
 * node-prometheus.ts turns them into a static scrape configuration.
 */
import { nodeArtifacts, NodeRuntime, recorded } from './node-runtime';
import { synthGatewayEstate } from '../gateway/gateway-lab';
import { startPartner } from '../gateway/gateway-traffic';
import { installIstioCrds } from '../istio-install';
import { Lab, LAB_DEFAULT_POOL, waitFor } from '../lab';
import { toYaml } from '../suite';

const CALICO_KINDS = new Set(['IPPool', 'GlobalNetworkPolicy', 'GlobalNetworkSet', 'NetworkPolicy', 'NetworkSet']);
/** What the Prometheus operator's CRDs would serve; the lab has no operator. */
export const MONITORING_API = 'monitoring.coreos.com/v1';

export class NodeLab {
  public static async start(): Promise<NodeLab> {
    const artifacts = nodeArtifacts();
    if (!artifacts) throw new Error('the lab node or its images are not built: scripts/lab/node/build.sh, scripts/lab/node/images.sh');
    const runtime = new NodeRuntime(artifacts.bin, artifacts.images);
    const lab = await Lab.start({ nodes: 2, nodeRuntime: runtime });
    const n = new NodeLab(lab, runtime, recorded(artifacts.images, 'registry'));
    try {
      await n.install();
    } catch (e) {
      lab.stop();
      throw e;
    }
    return n;
  }

  public docs: any[] = [];

  private constructor(public readonly lab: Lab, public readonly runtime: NodeRuntime, public readonly registry: string) {}

  public kind(k: string, name?: string): any {
    return this.docs.find((d) => d.kind === k && (!name || d.metadata.name === name));
  }

  /** kubectl get -o json, parsed. */
  public get(args: string[]): any {
    return JSON.parse(this.lab.kubectl(['get', ...args, '-o', 'json']));
  }

  /** Pods matching a workload's selector. */
  public podsOf(workload: any): any[] {
    const sel = Object.entries(workload.spec.selector.matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
    return this.get(['pods', '-n', workload.metadata.namespace, '-l', sel]).items;
  }

  /** Waits until a Deployment's or DaemonSet's rollout is complete (kubectl rollout status). */
  public rolledOut(workload: any, timeoutSeconds = 240): void {
    this.lab.kubectl(['rollout', 'status', '-n', workload.metadata.namespace, `${workload.kind.toLowerCase()}/${workload.metadata.name}`, `--timeout=${timeoutSeconds}s`]);
  }

  /** Server-side apply of manifests (the lab's field manager, conflicts forced: a test's change of our own object). */
  public apply(docs: any[]): void {
    this.lab.apply(toYaml(docs));
  }

  public stop(): void {
    this.lab.stop();
  }

  /** Waits until the example's workloads of these kinds have rolled out. */
  public async workloadsRolledOut(kinds: string[]): Promise<void> {
    for (const w of this.docs.filter((d) => kinds.includes(d.kind))) {
      await waitFor(`${w.kind} ${w.metadata.namespace}/${w.metadata.name} created`, () => this.get([w.kind.toLowerCase(), '-n', w.metadata.namespace, w.metadata.name]), 60_000, 1000);
      this.rolledOut(w);
    }
  }

  private async install(): Promise<void> {
    const before = process.env.EGRESS_IMAGE_REGISTRY;
    process.env.EGRESS_IMAGE_REGISTRY = this.registry;
    try {
      // The lab's default pool (the kube-dns Pod's, the zone pods') is a pod range of this cluster: declared as one.
      this.docs = synthGatewayEstate({ monitoring: { serviceMonitor: true, grafanaDashboard: true }, otherPodCidrs: [LAB_DEFAULT_POOL] });
    } finally {
      if (before === undefined) delete process.env.EGRESS_IMAGE_REGISTRY;
      else process.env.EGRESS_IMAGE_REGISTRY = before;
    }
    const emitted = new Set(this.docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name));
    for (const ns of new Set(this.docs.map((d) => d.metadata?.namespace).filter(Boolean))) {
      if (!emitted.has(ns)) this.lab.ensureNamespace(ns as string);
    }
    // The zone pods of the partners and locked zones and the pod outside every zone draw from the lab's natOutgoing pool.
    this.lab.setDefaultPoolNamespaces('kubernetes.io/metadata.name in {"kube-system", "partners", "sandbox", "plain"}');
    installIstioCrds(this.lab); // the example's checkout zone has a mesh layer (issue 26)
    this.apply(this.docs.filter((d) => d.apiVersion !== MONITORING_API));
    // Felix v3.31 reads crd.projectcalico.org/v1: the Calico kinds also through calicoctl (docs/lab.md).
    this.lab.calicoctl(['apply', '-f', '-'], toYaml(this.docs.filter((d) => d.apiVersion === 'projectcalico.org/v3' && CALICO_KINDS.has(d.kind))));
    await startPartner(this.lab);
  }
}
