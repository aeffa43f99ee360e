import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IEgressGateway } from './egress-gateway-ref';
import { CalicoIPPool, CalicoIPPoolAllowedUse, CalicoNetworkPolicy } from '../calico';
import { agentSecurityContext } from './gateway/agent-security';
import { GatewayDataPathSettings } from './gateway/compile-data-path';
import { DATA_PATH_CONFIG_FILE, DATA_PATH_MOUNT, dataPathConfigMap } from './gateway/data-path-config-map';
import { EgressNodeAgent, EgressNodeAgentOptions } from './gateway/egress-node-agent';
import { gatewayDashboard } from './gateway/gateway-dashboard';
import { imageReference } from './gateway/gateway-images';
import { gatewayPolicySpec } from './gateway/gateway-policy';
import { SteeredZone } from './gateway/gateway-routing';
import { registerDataPathGateway } from './gateway/gateway-synthesis';
import { DATA_PATH_DEFAULTS } from '../datapath/data-path-config';
import { Cidr, IpFamily } from '../model/cidr';
import { CidrAggregator } from '../model/cidr-aggregation';
import { EgressModelDocument } from '../model/egress-model';
import { EgressValidationError, locate, ValidationErrors } from '../model/errors';
import { toDnsLabel, validateDnsLabel } from '../model/names';
import { Selector } from '../model/selector';
import { ensureSynthesizer } from '../synth/egress-synthesizer';
import type { ModelBuilder } from '../synth/model-builder';

/** How fast nodes notice a dead gateway replica (each node probes every replica's /readyz itself). */
export interface GatewayFailureDetection {
  /**
   * Milliseconds between probes of each replica, from every node.
   * @default 100
   */
  readonly probeIntervalMs?: number;
  /**
   * Milliseconds after which an unanswered probe counts as failed.
   * @default 100
   */
  readonly probeTimeoutMs?: number;
  /**
   * Consecutive failed probes after which a replica's flows move to the others.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** Metrics and dashboards of the gateway. */
export interface GatewayMonitoring {
  /**
   * Emit a Prometheus-operator ServiceMonitor (monitoring.coreos.com/v1) for the gateway's /metrics.
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * Emit a Grafana dashboard as a ConfigMap labelled `grafana_dashboard: "1"` (Grafana's sidecar picks it up).
   * @default false
   */
  readonly grafanaDashboard?: boolean;
  /**
   * Namespaces whose pods may scrape the metrics port (the gateway's Calico policy admits nothing else).
   * @default - only the nodes (a Prometheus on the host network)
   */
  readonly scraperNamespaces?: string[];
}

/** Properties of an egress gateway. */
export interface EgressGatewayProps {
  /**
   * Name (DNS label, unique among the app's gateways); names the Deployment, Service and IPPool.
   * @default - derived from the construct id
   */
  readonly name?: string;
  /** Namespace the gateway pods run in. */
  readonly namespace: string;
  /**
   * The egress range (IPv4, at most 256 addresses): the gateway pods take their addresses from it and
   * traffic leaves with them, so the outside world sees only this range. Exactly one of `egressCidr` and
   * `egressIps`.
   * @default - `egressIps`
   */
  readonly egressCidr?: string;
  /**
   * The egress addresses (IPv4), when they are not one range: each aggregated prefix becomes a pool.
   * @default - `egressCidr`
   */
  readonly egressIps?: string[];
  /**
   * Gateway replicas, each on its own node; at most the egress range's addresses.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Allocation block size of the egress pool(s).
   * @default - one block per replica plus one for rolling updates, as large as the range allows
   */
  readonly blockSize?: number;
  /**
   * Complete image reference of the gateway, overriding registry and tag.
   * @default - `<registry>/egress-gateway:<library version>`
   */
  readonly image?: string;
  /**
   * Registry (and path) of the bundled images, for mirrors.
   * @default "ghcr.io/cdk8s-egress"
   */
  readonly registry?: string;
  /**
   * Tag of the bundled images.
   * @default - the version of this library
   */
  readonly imageTag?: string;
  /**
   * Names of image pull secrets (in the gateway's namespace and the node agent's).
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * Node labels the gateway pods require (e.g. dedicated egress nodes).
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Taints the gateway pods tolerate (e.g. the taint that keeps other workloads off egress nodes).
   * @default - none
   */
  readonly tolerations?: kplus.NodeTaintQuery[];
  /**
   * How nodes detect a failed replica.
   * @default - 100 ms interval, 100 ms timeout, 3 failures (about 0.3 s)
   */
  readonly failureDetection?: GatewayFailureDetection;
  /**
   * Seconds a terminating replica keeps its established flows; the pod's termination grace period is
   * this plus 5 s.
   * @default 30
   */
  readonly drainGraceSeconds?: number;
  /**
   * UDP port of the node-to-gateway VXLAN tunnels.
   * @default 4789
   */
  readonly vxlanPort?: number;
  /**
   * Port of the gateway's /healthz, /readyz and /metrics.
   * @default 9440
   */
  readonly healthPort?: number;
  /**
   * Compute resources of a gateway replica.
   * @default 100m CPU and 128 MiB requested, 512 MiB limit
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Extra IPv4 sources of tunnel traffic besides the ClusterNetwork's node ranges: with Calico's VXLAN or
   * IP-in-IP overlay, a node reaches a pod on another node from its tunnel address.
   * @default - none
   */
  readonly tunnelSourceCidrs?: string[];
  /**
   * Set `net.ipv4.ip_forward=1` and `net.ipv4.conf.{all,default}.rp_filter=0` as pod sysctls. Kubernetes counts
   * them as unsafe: the gateway nodes' kubelets must allow them (`--allowed-unsafe-sysctls`). Turn off when
   * the CNI enables forwarding in pods instead (Calico: `containerIPForwarding: Enabled`).
   * @default true
   */
  readonly podSysctls?: boolean;
  /**
   * Metrics, ServiceMonitor and dashboard.
   * @default - metrics served, no ServiceMonitor or dashboard
   */
  readonly monitoring?: GatewayMonitoring;
  /**
   * The egress-nat node agent (one per app; set it on one gateway at most).
   * @default - in this gateway's namespace, on every node
   */
  readonly nodeAgent?: EgressNodeAgentOptions;
}

/** Most addresses a gateway range may have: the model lists each egress address for firewall exports. */
const MAX_EGRESS_ADDRESSES = 256;
const GATEWAY_LABEL = 'egress.cdk8s.io/gateway';

/**
 * An egress gateway run by this library's data path, for open-source Calico: zones that leave through it
 * (`zone.egressVia(gateway)`, or a rule's `via`) reach the outside world from its fixed egress IPs.
 *
 * Emits the egress IPPool (no NAT, `nodeSelector: !all()` so only the gateway pods draw from it), the
 * gateway Deployment (one replica per node, PodDisruptionBudget, probes on the agent's /readyz and
 * /healthz, NET_ADMIN only, read-only root filesystem, RuntimeDefault seccomp), a headless Service (the
 * nodes find the replicas through its EndpointSlices; it also serves metrics), the gateway's Calico
 * policy, the data-path ConfigMap and, once per app, the egress-nat node agent DaemonSet with its RBAC.
 */
export class EgressGateway extends Construct implements IEgressGateway {
  /** Name of the gateway. */
  public readonly gatewayName: string;
  /** Namespace of the gateway. */
  public readonly namespace: string;
  /** The egress addresses, one per line of the firewall. */
  public readonly egressIps: string[];
  /** Gateway replicas. */
  public readonly replicas: number;
  /** The gateway Deployment (escape hatch). */
  public readonly deployment: kplus.Deployment;
  /** The Service whose EndpointSlices list the replicas. */
  public readonly service: kplus.Service;
  private readonly pools: Cidr[];
  private readonly props: EgressGatewayProps;
  private readonly settings: GatewayDataPathSettings;
  private readonly tunnelSources: string[];

  /**
   * @param scope the construct this EgressGateway belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see EgressGatewayProps)
   */
  constructor(scope: Construct, id: string, props: EgressGatewayProps) {
    super(scope, id);
    ensureSynthesizer(this);
    const path = this.node.path;
    this.props = props;
    this.gatewayName = validateDnsLabel('name', props.name ?? toDnsLabel(id), path);
    this.namespace = validateDnsLabel('namespace', props.namespace, path);
    this.pools = egressPools(props, path);
    this.egressIps = this.pools.flatMap(c => Array.from({ length: c.addressCount }, (_, i) => c.nthAddress(i)));
    if (this.egressIps.length > MAX_EGRESS_ADDRESSES) {
      throw new EgressValidationError(props.egressCidr ? 'egressCidr' : 'egressIps', props.egressCidr ?? props.egressIps!.join(','),
        `has ${this.egressIps.length} addresses; a gateway range has at most ${MAX_EGRESS_ADDRESSES}`, path);
    }
    this.replicas = props.replicas ?? 2;
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      throw new EgressValidationError('replicas', String(props.replicas), 'is not a whole number of at least 1', path);
    }
    if (this.replicas > this.egressIps.length) {
      throw new EgressValidationError('replicas', String(this.replicas),
        `exceeds the ${this.egressIps.length} free address(es) of the egress range ${this.pools.join(', ')}: each replica holds one egress IP`, path,
        'a larger egress range, or fewer replicas');
    }
    // One spare address lets a rolling update start the new replica before the old one drains.
    const surge = this.egressIps.length > this.replicas ? 1 : 0;
    const blockSize = this.blockSize(surge, path);
    this.tunnelSources = (props.tunnelSourceCidrs ?? []).map((c, i) => {
      const cidr = locate(path, `tunnelSourceCidrs[${i}]`, () => Cidr.parse(c));
      if (cidr.family !== IpFamily.IPV4) throw new EgressValidationError(`tunnelSourceCidrs[${i}]`, c, 'is not IPv4: the tunnels are IPv4', path);
      return cidr.toString();
    });
    const fd = props.failureDetection ?? {};
    const probe = {
      intervalMs: fd.probeIntervalMs ?? DATA_PATH_DEFAULTS.probe.intervalMs,
      timeoutMs: fd.probeTimeoutMs ?? DATA_PATH_DEFAULTS.probe.timeoutMs,
      failureThreshold: fd.failureThreshold ?? DATA_PATH_DEFAULTS.probe.failureThreshold,
    };
    checkInt('failureDetection.probeIntervalMs', probe.intervalMs, 10, 60_000, path);
    checkInt('failureDetection.probeTimeoutMs', probe.timeoutMs, 10, 60_000, path);
    checkInt('failureDetection.failureThreshold', probe.failureThreshold, 1, 100, path);
    const drain = props.drainGraceSeconds ?? DATA_PATH_DEFAULTS.drainGraceSeconds;
    checkInt('drainGraceSeconds', drain, 0, 86_400, path);
    const vxlanPort = props.vxlanPort ?? DATA_PATH_DEFAULTS.vxlanPort;
    const healthPort = props.healthPort ?? DATA_PATH_DEFAULTS.healthPort;
    checkInt('vxlanPort', vxlanPort, 1, 65535, path);
    checkInt('healthPort', healthPort, 1, 65535, path);
    (props.monitoring?.scraperNamespaces ?? []).forEach((n, i) => validateDnsLabel(`monitoring.scraperNamespaces[${i}]`, n, path));
    for (const [k, v] of Object.entries(props.nodeSelector ?? {})) {
      locate(path, `nodeSelector.${k}`, () => Selector.labelEquals(k, v));
    }
    this.settings = {
      name: this.gatewayName,
      path,
      serviceNamespace: this.namespace,
      serviceName: `${this.gatewayName}-egress-gateway`.slice(0, 63).replace(/-+$/, ''),
      vxlanPort,
      healthPort,
      probe,
      drainGraceSeconds: drain,
    };

    const labels = { 'app.kubernetes.io/name': 'egress-gateway', 'app.kubernetes.io/part-of': 'cdk8s-egress', [GATEWAY_LABEL]: this.gatewayName };
    const poolNames = this.pools.map((_, i) => (this.pools.length === 1 ? `${this.gatewayName}-egress` : `${this.gatewayName}-egress-${i}`));
    this.pools.forEach((cidr, i) => new CalicoIPPool(this, `EgressPool${i}`, {
      metadata: { name: poolNames[i], labels },
      spec: {
        cidr: cidr.toString(),
        blockSize: Math.max(blockSize, cidr.prefixLength),
        // The outside world must see the egress IP itself, and only pods that ask for the pool get it.
        natOutgoing: false,
        nodeSelector: '!all()',
        allowedUses: [CalicoIPPoolAllowedUse.WORKLOAD],
      },
    }));

    const images = { registry: props.registry, tag: props.imageTag, pullSecrets: props.imagePullSecrets ?? [] };
    const configMap = dataPathConfigMap(this, this.namespace);
    EgressNodeAgent.obtain(this, this.namespace, props.nodeAgent, images);

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: this.settings.serviceName, namespace: this.namespace, labels },
      podMetadata: {
        labels,
        annotations: { 'cni.projectcalico.org/ipv4pools': JSON.stringify(poolNames) },
      },
      replicas: this.replicas,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(surge),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(surge ? 0 : 1),
      }),
      // The agent drains for drainGraceSeconds after SIGTERM; the kubelet must not kill it sooner.
      terminationGracePeriod: Duration.seconds(drain + 5),
      automountServiceAccountToken: false,
      securityContext: {
        ensureNonRoot: false,
        sysctls: props.podSysctls === false ? [] : [
          { name: 'net.ipv4.ip_forward', value: '1' },
          // Reverse-path filtering (even loose) drops everything arriving on the address-less tunnel devices;
          // the kernel applies max(all, device) and new devices take `default`. The pod's namespace is its own.
          { name: 'net.ipv4.conf.all.rp_filter', value: '0' },
          { name: 'net.ipv4.conf.default.rp_filter', value: '0' },
        ],
      },
    });
    const volume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', configMap, { name: 'data-path' });
    const tmp = kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { medium: kplus.EmptyDirMedium.MEMORY });
    const container = this.deployment.addContainer({
      name: 'egress-gateway',
      image: imageReference('egress-gateway', { image: props.image, registry: props.registry, tag: props.imageTag }),
      args: ['gateway', '--config', `${DATA_PATH_MOUNT}/${DATA_PATH_CONFIG_FILE}`, '--gateway', this.gatewayName],
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      envVariables: { POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP) },
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
    // Replicas on distinct nodes: a node failure takes one replica, never all.
    this.deployment.scheduling.separate(this.deployment, { topology: kplus.Topology.HOSTNAME });
    for (const [k, v] of Object.entries(props.nodeSelector ?? {})) {
      this.deployment.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is(k, v)));
    }
    for (const t of props.tolerations ?? []) this.deployment.scheduling.tolerate(kplus.Node.tainted(t));
    const patches = [JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { [GATEWAY_LABEL]: this.gatewayName } },
    }])];
    if (images.pullSecrets.length) patches.push(JsonPatch.add('/spec/template/spec/imagePullSecrets', images.pullSecrets.map(name => ({ name }))));
    ApiObject.of(this.deployment).addJsonPatch(...patches);

    new kplus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: this.settings.serviceName, namespace: this.namespace, labels },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: { [GATEWAY_LABEL]: this.gatewayName } } },
    });

    // Headless: the nodes read the replicas from its EndpointSlices; no virtual IP is needed.
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.settings.serviceName, namespace: this.namespace, labels },
      clusterIP: 'None',
      selector: this.deployment,
      ports: [
        { name: 'metrics', port: healthPort, targetPort: healthPort, protocol: kplus.Protocol.TCP },
        { name: 'vxlan', port: vxlanPort, targetPort: vxlanPort, protocol: kplus.Protocol.UDP },
      ],
    });

    if (props.monitoring?.serviceMonitor) {
      new ApiObject(this, 'ServiceMonitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: this.settings.serviceName, namespace: this.namespace, labels },
        spec: {
          selector: { matchLabels: { [GATEWAY_LABEL]: this.gatewayName } },
          namespaceSelector: { matchNames: [this.namespace] },
          endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
        },
      });
    }
    if (props.monitoring?.grafanaDashboard) {
      new kplus.ConfigMap(this, 'Dashboard', {
        metadata: { name: `${this.settings.serviceName}-dashboard`.slice(0, 253), namespace: this.namespace, labels: { ...labels, grafana_dashboard: '1' } },
        data: { [`egress-gateway-${this.gatewayName}.json`]: JSON.stringify(gatewayDashboard(this.gatewayName), null, 2) },
      });
    }
    registerDataPathGateway(this);
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    const nodeSelector = this.props.nodeSelector && Object.keys(this.props.nodeSelector).length > 0
      ? Selector.fromLabels(this.props.nodeSelector).toString() : undefined;
    builder.addGateway({
      name: this.gatewayName,
      path: this.node.path,
      namespace: this.namespace,
      // With several pools (egressIps), the smallest prefix covering them all.
      egressCidr: coveringCidr(this.pools).toString(),
      egressIps: [...this.egressIps],
      replicas: this.replicas,
      implementation: 'cdk8s-egress',
      nodeSelector,
    });
  }

  /** @internal */
  public _dataPathSettings(): GatewayDataPathSettings {
    return this.settings;
  }

  /** @internal */
  public _renderFromModel(doc: EgressModelDocument, zones: SteeredZone[], errors: ValidationErrors): void {
    const nodeCidrs = [...doc.nodeCidrs.filter(c => !c.includes(':')), ...this.tunnelSources];
    if (nodeCidrs.length === 0) {
      errors.add(`nodeCidrs "[]" are unknown, so the policy of gateway "${this.gatewayName}" cannot admit tunnel traffic from nodes only (at ${this.node.path}); hint: declare ClusterNetwork nodeCidrs (IPv4) or tunnelSourceCidrs`);
      return;
    }
    const clash = doc.natPools.find(p => p.name === `${this.gatewayName}-egress` || p.name.startsWith(`${this.gatewayName}-egress-`));
    if (clash) errors.add(`NAT pool name "${clash.name}" is also the IPPool of gateway "${this.gatewayName}" (at ${clash.path} and ${this.node.path})`);
    new CalicoNetworkPolicy(this, 'Policy', {
      metadata: { name: `egress-gateway-${this.gatewayName}`.slice(0, 63).replace(/-+$/, ''), namespace: this.namespace, labels: { [GATEWAY_LABEL]: this.gatewayName } },
      spec: gatewayPolicySpec(this.settings, zones, {
        selector: Selector.labelEquals(GATEWAY_LABEL, this.gatewayName).toString(),
        nodeCidrs: CidrAggregator.merge(nodeCidrs),
        metricsNamespaces: [...new Set(this.props.monitoring?.scraperNamespaces ?? [])].sort(),
        clusterCidrs: [...doc.clusterCidrs, ...doc.nodeCidrs].filter(c => !c.includes(':')),
      }),
    });
  }

  /** The default block size: one block per replica (plus the spare), as large as the range allows. */
  private blockSize(surge: number, path: string): number {
    const smallest = this.pools.reduce((a, b) => (a.prefixLength > b.prefixLength ? a : b));
    if (this.props.blockSize !== undefined) {
      const b = this.props.blockSize;
      if (!Number.isInteger(b) || b < 20 || b > 32) throw new EgressValidationError('blockSize', String(b), 'is outside 20-32, the block sizes Calico allows for IPv4 pools', path);
      const blocks = this.pools.reduce((n, c) => n + 2 ** (Math.max(b, c.prefixLength) - c.prefixLength), 0);
      if (blocks < this.replicas) {
        throw new EgressValidationError('blockSize', String(b), `leaves ${blocks} block(s) for ${this.replicas} replicas on distinct nodes: each node takes a block of its own`, path,
          `blockSize ${Math.min(32, smallest.prefixLength + Math.ceil(Math.log2(this.replicas)))} or larger`);
      }
      return b;
    }
    const needed = Math.min(this.egressIps.length, this.replicas + surge);
    if (this.pools.length > 1) return 32; // scattered addresses: every address its own block
    return Math.min(32, smallest.prefixLength + Math.ceil(Math.log2(needed)));
  }
}

function egressPools(props: EgressGatewayProps, path: string): Cidr[] {
  if ((props.egressCidr === undefined) === (props.egressIps === undefined)) {
    throw new EgressValidationError('egressCidr', props.egressCidr ?? '', 'and egressIps: exactly one of them must be given', path);
  }
  const v4 = (field: string, c: Cidr, text: string) => {
    if (c.family !== IpFamily.IPV4) {
      throw new EgressValidationError(field, text, 'is IPv6, but the gateway data path is IPv4-only (VXLAN underlay, nftables sets and nexthops)', path);
    }
    return c;
  };
  if (props.egressCidr !== undefined) return [v4('egressCidr', locate(path, 'egressCidr', () => Cidr.parse(props.egressCidr!)), props.egressCidr)];
  if (props.egressIps!.length === 0) throw new EgressValidationError('egressIps', '[]', 'is empty: a gateway needs at least one egress IP', path);
  const singles = props.egressIps!.map((ip, i) => {
    const c = v4(`egressIps[${i}]`, locate(path, `egressIps[${i}]`, () => Cidr.parse(ip)), ip);
    if (c.prefixLength !== 32) throw new EgressValidationError(`egressIps[${i}]`, ip, 'is not a single address', path, 'use egressCidr for a range');
    return c.toString();
  });
  return CidrAggregator.merge(singles).map(c => Cidr.parse(c));
}

function coveringCidr(pools: Cidr[]): Cidr {
  let prefix = Math.min(...pools.map(p => p.prefixLength));
  for (; prefix >= 0; prefix--) {
    const candidate = Cidr.parseLenient(`${pools[0].networkAddress}/${prefix}`);
    if (pools.every(p => candidate.contains(p))) return candidate;
  }
  return Cidr.parse('0.0.0.0/0');
}

function checkInt(field: string, v: number, min: number, max: number, path: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new EgressValidationError(field, String(v), `is not a whole number in ${min}-${max}`, path);
}
