import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { NODE_AGENT_PRIORITY_CLASS } from './agent-priority';
import { agentSecurityContext } from './agent-security';
import { DATA_PATH_CONFIG_FILE, DATA_PATH_MOUNT, dataPathConfigMap } from './data-path-config-map';
import { imageReference } from './gateway-images';
import { NODE_SYSCTLS, sysctlInitContainer } from './sysctl-method';
import { EgressValidationError } from '../../model/errors';
import { APP_NAME_LABEL, PART_OF, PART_OF_LABEL } from '../../model/vocabulary';

/** Options of the egress-nat node agent (a DaemonSet shared by every gateway of the app). */
export interface EgressNodeAgentOptions {
  /**
   * Namespace of the node agent.
   * @default - the namespace of the first gateway declared
   */
  readonly namespace?: string;
  /**
   * Complete image reference, overriding registry and tag.
   * @default - `<registry>/egress-nat:<library version>`
   */
  readonly image?: string;
  /**
   * Taints the node agent tolerates. It must run on every node where zone pods run: a node without it
   * does not steer, and its zone pods leave directly.
   * @default - every taint (like the CNI's own node agent)
   */
  readonly tolerations?: kplus.NodeTaintQuery[];
  /**
   * Port of the agent's /healthz, /readyz and /metrics on the node's addresses (host network).
   * @default 9441
   */
  readonly healthPort?: number;
  /**
   * Compute resources.
   * @default 50m CPU and 64 MiB requested, 256 MiB limit
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Priority class. The default is calico-node's: the agent steers the node's egress as the CNI routes it. Clusters
   * that limit critical priorities outside kube-system by a ResourceQuota (GKE) need a quota for it in this namespace,
   * or another class here.
   * @default "system-node-critical"
   */
  readonly priorityClassName?: string;
  /**
   * A privileged init container sets `net.ipv4.fib_multipath_hash_policy=1` on each node (flows spread over the
   * replicas by L4 hash). Off: set it on the nodes yourself, or flows are spread by address only (the agent warns).
   * @default true
   */
  readonly setHostSysctls?: boolean;
  /**
   * The packet-mark bits the node agent owns (8 or more, not necessarily contiguous). The default is clear of Felix's
   * default mask 0xffff0000, kube-proxy's and the kubelet's 0x4000/0x8000 and the AWS VPC CNI's 0x80; set it only when
   * your Felix's nftablesMarkMask/iptablesMarkMask (or another component) takes some of those bits.
   * @default 0x00003f7f
   */
  readonly markMask?: number;
  /**
   * Record the staged zones' external destinations on each node (address, protocol, port, connections, first and
   * last seen; bounded sets whose entries expire after 7 days), for `rollout-report --addresses`: the addresses
   * behind Goldmane's "pub"/"pvt" (docs/rolling-out.md). Observes only; no per-address metrics.
   * @default false
   */
  readonly observeStagedZones?: boolean;
}

/** What every image-pulling workload of the app shares. */
export interface ImageSettings {
  readonly registry?: string;
  readonly tag?: string;
  readonly pullSecrets: string[];
}

const agents = new WeakMap<IConstruct, EgressNodeAgent>();

/**
 * The egress-nat node agent: one DaemonSet per app (it owns node-wide kernel state, so two would
 * fight), on the host network with NET_ADMIN only, its ServiceAccount, and RBAC to list/watch exactly what
 * its Kubernetes adapter reads (pods, for the zone members on its node; EndpointSlices, for the gateway
 * replicas). Created by the first EgressGateway of the app.
 */
export class EgressNodeAgent extends Construct {
  /** The app's node agent, created under `scope` on first use. */
  public static obtain(scope: Construct, namespace: string, options: EgressNodeAgentOptions | undefined, images: ImageSettings): EgressNodeAgent {
    const root = scope.node.root;
    const existing = agents.get(root);
    if (existing) {
      if (options && existing.options !== options) {
        throw new EgressValidationError('nodeAgent', JSON.stringify(options), `is set again; the app has one node agent, already configured at ${existing.node.path}`, scope.node.path,
          'set nodeAgent on one gateway only');
      }
      return existing;
    }
    const agent = new EgressNodeAgent(scope, 'NodeAgent', options?.namespace ?? namespace, options, images);
    agents.set(root, agent);
    return agent;
  }

  /** Namespace the agent runs in. */
  public readonly namespace: string;
  /** The DaemonSet. */
  public readonly daemonSet: kplus.DaemonSet;
  private readonly options?: EgressNodeAgentOptions;
  private podMonitor?: ApiObject;

  private constructor(scope: Construct, id: string, namespace: string, options: EgressNodeAgentOptions | undefined, images: ImageSettings) {
    super(scope, id);
    this.namespace = namespace;
    this.options = options;
    const healthPort = options?.healthPort ?? 9441;
    const labels = nodeAgentLabels();
    const meta = (name: string) => ({ name, namespace, labels });

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta('egress-nat'), automountToken: true });
    const role = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name: `cdk8s-egress-nat-${namespace}`, labels } });
    // The adapter (src/agent/shared/kubernetes-source.ts) runs two informers: list + watch, nothing else.
    role.allow(['list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.ENDPOINT_SLICES);
    const binding = new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name: `cdk8s-egress-nat-${namespace}`, labels }, role });
    binding.addSubjects(serviceAccount);

    const configMap = dataPathConfigMap(this, namespace);
    this.daemonSet = new kplus.DaemonSet(this, 'DaemonSet', {
      metadata: meta('egress-nat'),
      podMetadata: { labels },
      serviceAccount,
      automountServiceAccountToken: true,
      hostNetwork: true,
      // On the host network the cluster DNS is only reachable with this policy.
      dns: { policy: kplus.DnsPolicy.CLUSTER_FIRST_WITH_HOST_NET },
      // Rules stay in place when the agent stops; nothing to drain.
      terminationGracePeriod: Duration.seconds(5),
      securityContext: { ensureNonRoot: false },
      volumes: [],
    });
    const volume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'data-path' });
    const tmp = kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { medium: kplus.EmptyDirMedium.MEMORY });
    const image = imageReference('egress-nat', { image: options?.image, registry: images.registry, tag: images.tag });
    if (options?.setHostSysctls !== false) this.daemonSet.addInitContainer(sysctlInitContainer(image, NODE_SYSCTLS));
    const container = this.daemonSet.addContainer({
      name: 'egress-nat',
      image,
      args: ['node', '--config', `${DATA_PATH_MOUNT}/${DATA_PATH_CONFIG_FILE}`, '--kubernetes', '--health-port', String(healthPort)],
      envVariables: { NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'health', number: healthPort, protocol: kplus.Protocol.TCP }],
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: healthPort, periodSeconds: Duration.seconds(5), failureThreshold: 3 }),
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: healthPort, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
      resources: options?.resources ?? {
        cpu: { request: kplus.Cpu.millis(50) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
      },
      securityContext: agentSecurityContext(),
    });
    container.mount(DATA_PATH_MOUNT, volume, { readOnly: true });
    container.mount('/tmp', tmp);
    for (const t of options?.tolerations ?? [kplus.NodeTaintQuery.any()]) this.daemonSet.scheduling.tolerate(kplus.Node.tainted(t));

    const patches: JsonPatch[] = [];
    if (images.pullSecrets.length) patches.push(JsonPatch.add('/spec/template/spec/imagePullSecrets', images.pullSecrets.map(name => ({ name }))));
    patches.push(JsonPatch.add('/spec/template/spec/priorityClassName', options?.priorityClassName ?? NODE_AGENT_PRIORITY_CLASS));
    ApiObject.of(this.daemonSet).addJsonPatch(...patches);
  }

  /**
   * A Prometheus-operator PodMonitor for the agents' /metrics on their `health` port (host network: the node's
   * address), once per app however many gateways ask: the dashboard's node panels read these metrics.
   */
  public addPodMonitor(): void {
    if (this.podMonitor) return;
    const labels = nodeAgentLabels();
    this.podMonitor = new ApiObject(this, 'PodMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'egress-nat', namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        namespaceSelector: { matchNames: [this.namespace] },
        podMetricsEndpoints: [{ port: 'health', path: '/metrics', interval: '15s' }],
      },
    });
  }
}

/** The labels of the node agent's objects and pods (a fresh object each time: cdk8s may add to it). */
function nodeAgentLabels(): { [key: string]: string } {
  return { [APP_NAME_LABEL]: 'egress-nat', [PART_OF_LABEL]: PART_OF };
}
