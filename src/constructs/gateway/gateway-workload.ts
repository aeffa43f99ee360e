import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GATEWAY_PRIORITY_CLASS } from './agent-priority';
import { agentSecurityContext } from './agent-security';
import { DATA_PATH_CONFIG_FILE, DATA_PATH_MOUNT } from './data-path-config-map';
import { EgressGatewayProps } from './egress-gateway-props';
import { gatewayDashboard } from './gateway-dashboard';
import { imageReference } from './gateway-images';
import { GatewaySettings } from './gateway-settings';
import { GATEWAY_IPV6_SYSCTLS, GATEWAY_SYSCTLS, SysctlMethod, sysctlInitContainer } from './sysctl-method';
import { CalicoIPPool, CalicoIPPoolAllowedUse } from '../../calico';
import { Cidr, IpFamily } from '../../model/cidr';
import { CALICO_IPV4_POOLS_ANNOTATION, CALICO_IPV6_POOLS_ANNOTATION, GATEWAY_LABEL, gatewayLabels } from '../../model/vocabulary';

/** The downward API's list of the pod's addresses (one per family; Kubernetes 1.20+), which cdk8s-plus has no name for. */
const POD_IPS = 'status.podIPs' as kplus.EnvFieldPaths;

// The gateway's Kubernetes workload, one function per object, each created under the gateway construct in
// the order the manifests list them.

/** One egress IPPool: its name, range, family and block size. */
export interface EgressPool { readonly name: string; readonly cidr: Cidr; readonly family: IpFamily; readonly blockSize: number }

/**
 * The egress IPPools, IPv4 first. IPv4 names are those of an IPv4-only gateway (`<name>-egress`, or `-egress-<i>` with
 * several pools); IPv6 pools add `-v6`.
 */
export function egressPools(s: GatewaySettings): EgressPool[] {
  return s.ranges.flatMap((r, ri) => r.pools.map((cidr, i) => {
    const base = r.family === IpFamily.IPV4 ? `${s.gatewayName}-egress` : `${s.gatewayName}-egress-v6`;
    return { name: r.pools.length === 1 ? base : `${base}-${i}`, cidr, family: r.family, blockSize: Math.max(s.blockSizes[ri], cidr.prefixLength) };
  }));
}

/** Names of the egress IPPools. */
export function egressPoolNames(s: GatewaySettings): string[] {
  return egressPools(s).map(p => p.name);
}

/** The pool annotations of the gateway pods: Calico IPAM takes each family's address from the pools it names. */
function poolAnnotations(s: GatewaySettings): { [key: string]: string } {
  const pools = egressPools(s);
  const out: { [key: string]: string } = {};
  const v4 = pools.filter(p => p.family === IpFamily.IPV4).map(p => p.name);
  const v6 = pools.filter(p => p.family === IpFamily.IPV6).map(p => p.name);
  if (v4.length) out[CALICO_IPV4_POOLS_ANNOTATION] = JSON.stringify(v4);
  if (v6.length) out[CALICO_IPV6_POOLS_ANNOTATION] = JSON.stringify(v6);
  return out;
}

/** The egress IPPools: no NAT, and only pods that ask for them (the gateway's) draw from them. */
export function egressIpPools(scope: Construct, s: GatewaySettings): void {
  egressPools(s).forEach((pool, i) => new CalicoIPPool(scope, `EgressPool${i}`, {
    metadata: { name: pool.name, labels: gatewayLabels(s.gatewayName) },
    spec: {
      cidr: pool.cidr.toString(),
      blockSize: pool.blockSize,
      // The outside world must see the egress IP itself, and only pods that ask for the pool get it.
      natOutgoing: false,
      nodeSelector: '!all()',
      allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD],
    },
  }));
}

/** The gateway pods' sysctls: IPv6 forwarding too when the gateway has an IPv6 range. */
export function gatewaySysctls(s: GatewaySettings): ReadonlyArray<readonly [string, string]> {
  return s.ranges.some(r => r.family === IpFamily.IPV6) ? [...GATEWAY_SYSCTLS, ...GATEWAY_IPV6_SYSCTLS] : GATEWAY_SYSCTLS;
}

/** The gateway Deployment: one replica per node, the agent container, its volumes and scheduling. */
export function gatewayDeployment(scope: Construct, s: GatewaySettings, props: EgressGatewayProps, configMap: kplus.ConfigMap): kplus.Deployment {
  const labels = gatewayLabels(s.gatewayName);
  const { healthPort, vxlanPort, drainGraceSeconds } = s.dataPath;
  const sysctlMethod = props.sysctls ?? SysctlMethod.INIT_CONTAINER;
  const deployment = new kplus.Deployment(scope, 'Deployment', {
    metadata: { name: s.dataPath.serviceName, namespace: s.namespace, labels },
    podMetadata: {
      labels,
      annotations: poolAnnotations(s),
    },
    replicas: s.replicas,
    // One old replica goes (and drains) before its replacement is created, never a surge: with the required
    // anti-affinity below a surge replica needs a node without one, and with as many eligible nodes as replicas (the
    // usual dedicated egress nodes) it stays Pending while maxUnavailable 0 keeps every old one, so the rollout hangs
    // (test/lab/node, behaviour 3a). The PodDisruptionBudget allows the same one at a time. `surge` only sizes the pool
    // blocks now: a spare address for a replacement on a free node while the old one still drains.
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(0),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(1),
    }),
    // The agent drains for drainGraceSeconds after SIGTERM; the kubelet must not kill it sooner.
    terminationGracePeriod: Duration.seconds(drainGraceSeconds + 5),
    automountServiceAccountToken: false,
    securityContext: {
      ensureNonRoot: false,
      sysctls: sysctlMethod === SysctlMethod.POD_SYSCTLS ? gatewaySysctls(s).map(([name, value]) => ({ name, value })) : [],
    },
  });
  const image = imageReference('egress-gateway', { image: props.image, registry: props.registry, tag: props.imageTag });
  if (sysctlMethod === SysctlMethod.INIT_CONTAINER) deployment.addInitContainer(sysctlInitContainer(image, gatewaySysctls(s)));
  const volume = kplus.Volume.fromConfigMap(scope, 'ConfigVolume', configMap, { name: 'data-path' });
  const tmp = kplus.Volume.fromEmptyDir(scope, 'TmpVolume', 'tmp', { medium: kplus.EmptyDirMedium.MEMORY });
  const container = deployment.addContainer({
    name: 'egress-gateway',
    image,
    args: ['gateway', '--config', `${DATA_PATH_MOUNT}/${DATA_PATH_CONFIG_FILE}`, '--gateway', s.gatewayName],
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    // A dual-stack gateway's primary address may be IPv6: it gets both (the agent takes the IPv4 one for the tunnels).
    envVariables: { POD_IP: kplus.EnvValue.fromFieldRef(s.ranges.some(r => r.family === IpFamily.IPV6) ? POD_IPS : kplus.EnvFieldPaths.POD_IP) },
    ports: [
      { name: 'metrics', number: healthPort, protocol: kplus.Protocol.TCP },
      { name: 'vxlan', number: vxlanPort, protocol: kplus.Protocol.UDP },
    ],
    readiness: kplus.Probe.fromHttpGet('/readyz', { port: healthPort, periodSeconds: Duration.seconds(2), failureThreshold: 2 }),
    liveness: kplus.Probe.fromHttpGet('/healthz', { port: healthPort, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
    resources: props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
    },
    securityContext: agentSecurityContext(),
  });
  container.mount(DATA_PATH_MOUNT, volume, { readOnly: true });
  container.mount('/tmp', tmp);
  scheduleApart(deployment, s, props);
  return deployment;
}

/** Replicas on distinct nodes (a node failure takes one replica, never all), spread over zones. */
function scheduleApart(deployment: kplus.Deployment, s: GatewaySettings, props: EgressGatewayProps): void {
  deployment.scheduling.separate(deployment, { topology: kplus.Topology.HOSTNAME });
  for (const [k, v] of Object.entries(props.nodeSelector ?? {})) {
    deployment.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is(k, v)));
  }
  for (const t of props.tolerations ?? []) deployment.scheduling.tolerate(kplus.Node.tainted(t));
  const patches = [JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [{
    maxSkew: 1,
    topologyKey: 'topology.kubernetes.io/zone',
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { [GATEWAY_LABEL]: s.gatewayName } },
  }])];
  patches.push(JsonPatch.add('/spec/template/spec/priorityClassName', GATEWAY_PRIORITY_CLASS));
  const pullSecrets = props.imagePullSecrets ?? [];
  if (pullSecrets.length) patches.push(JsonPatch.add('/spec/template/spec/imagePullSecrets', pullSecrets.map(name => ({ name }))));
  ApiObject.of(deployment).addJsonPatch(...patches);
}

/** At most one replica down at a time. */
export function gatewayDisruptionBudget(scope: Construct, s: GatewaySettings): void {
  new kplus.k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: { name: s.dataPath.serviceName, namespace: s.namespace, labels: gatewayLabels(s.gatewayName) },
    spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: { [GATEWAY_LABEL]: s.gatewayName } } },
  });
}

/** Headless: the nodes read the replicas from its EndpointSlices; no virtual IP is needed. */
export function gatewayService(scope: Construct, s: GatewaySettings, deployment: kplus.Deployment): kplus.Service {
  const { healthPort, vxlanPort } = s.dataPath;
  return new kplus.Service(scope, 'Service', {
    metadata: { name: s.dataPath.serviceName, namespace: s.namespace, labels: gatewayLabels(s.gatewayName) },
    clusterIP: 'None',
    selector: deployment,
    ports: [
      { name: 'metrics', port: healthPort, targetPort: healthPort, protocol: kplus.Protocol.TCP },
      { name: 'vxlan', port: vxlanPort, targetPort: vxlanPort, protocol: kplus.Protocol.UDP },
    ],
  });
}

/** The ServiceMonitor and the Grafana dashboard, when asked for. */
export function gatewayMonitoring(scope: Construct, s: GatewaySettings, props: EgressGatewayProps): void {
  const labels = gatewayLabels(s.gatewayName);
  if (props.monitoring?.serviceMonitor) {
    new ApiObject(scope, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: s.dataPath.serviceName, namespace: s.namespace, labels },
      spec: {
        selector: { matchLabels: { [GATEWAY_LABEL]: s.gatewayName } },
        namespaceSelector: { matchNames: [s.namespace] },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
      },
    });
  }
  if (props.monitoring?.grafanaDashboard) {
    new kplus.ConfigMap(scope, 'Dashboard', {
      metadata: { name: `${s.dataPath.serviceName}-dashboard`.slice(0, 253), namespace: s.namespace, labels: { ...labels, grafana_dashboard: '1' } },
      data: { [`egress-gateway-${s.gatewayName}.json`]: JSON.stringify(gatewayDashboard(s.gatewayName), null, 2) },
    });
  }
}
