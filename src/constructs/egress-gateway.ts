import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IEgressGateway } from './egress-gateway-ref';
import { gatewayPriorityClass } from './gateway/agent-priority';
import { DATA_PATH_CONFIG_FILE, dataPathConfigMap } from './gateway/data-path-config-map';
import { EgressGatewayProps } from './gateway/egress-gateway-props';
import { EgressNodeAgent } from './gateway/egress-node-agent';
import { coveringCidr } from './gateway/egress-ranges';
import { agentNamespace, gatewayPoolAdmission } from './gateway/gateway-admission';
import { gatewaySettings, GatewaySettings } from './gateway/gateway-settings';
import {
  egressIpPools, gatewayDeployment, gatewayDisruptionBudget, gatewayMonitoring, gatewayService, egressPoolNames,
} from './gateway/gateway-workload';
import { constructId } from '../model/construct-id';
import { Selector } from '../model/selector';
import { ensureSynthesizer } from '../synth/egress-synthesizer';
import type { ModelBuilder } from '../synth/model-builder';
import { withdraw } from './private/withdraw';

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
  /** The egress addresses, one per line of the firewall: IPv4 first, then IPv6. */
  public readonly egressIps: string[];
  /** Gateway replicas. */
  public readonly replicas: number;
  /** The gateway Deployment (escape hatch). */
  public readonly deployment: kplus.Deployment;
  /** The Service whose EndpointSlices list the replicas. */
  public readonly service: kplus.Service;
  private readonly props: EgressGatewayProps;
  private readonly settings: GatewaySettings;
  private readonly configMap: kplus.ConfigMap;

  /**
   * @param scope the construct this EgressGateway belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see EgressGatewayProps)
   */
  constructor(scope: Construct, id: string, props: EgressGatewayProps) {
    super(scope, constructId(scope, id, 'EgressGateway'));
    try {
      ensureSynthesizer(this);
      this.props = props;
      const s = this.settings = gatewaySettings(id, this.node.path, props);
      this.gatewayName = s.gatewayName;
      this.namespace = s.namespace;
      this.egressIps = s.egressIps;
      this.replicas = s.replicas;

      // The namespaces first: the API server creates what is in them only once they exist.
      if (props.createNamespace !== false) {
        agentNamespace(this, this.namespace);
        agentNamespace(this, props.nodeAgent?.namespace ?? this.namespace);
      }
      egressIpPools(this, s);
      this.configMap = dataPathConfigMap(this, this.namespace);
      const images = { registry: props.registry, tag: props.imageTag, pullSecrets: props.imagePullSecrets ?? [] };
      const nodeAgent = EgressNodeAgent.obtain(this, this.namespace, props.nodeAgent, images);
      if (props.monitoring?.serviceMonitor) nodeAgent.addPodMonitor();
      this.deployment = gatewayDeployment(this, s, props, this.configMap);
      gatewayDisruptionBudget(this, s);
      this.service = gatewayService(this, s, this.deployment);
      gatewayMonitoring(this, s, props);
      gatewayPriorityClass(this);
      gatewayPoolAdmission(this, s, egressPoolNames(s));
      // The gateway's own Calico policy and the data-path document depend on every zone of the app: the
      // synth pipeline renders them from the model (see _contribute).
    } catch (e) {
      withdraw(this);
      throw e;
    }
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    const nodeSelector = this.props.nodeSelector && Object.keys(this.props.nodeSelector).length > 0
      ? Selector.fromLabels(this.props.nodeSelector).toString() : undefined;
    builder.addGateway({
      name: this.gatewayName,
      path: this.node.path,
      namespace: this.namespace,
      // With several pools (egressIps), the smallest prefix covering them all; the IPv4 range's when there are both
      // families (every egress address, of both families, is in egressIps).
      egressCidr: coveringCidr(this.settings.ranges[0].pools).toString(),
      egressIps: [...this.egressIps],
      replicas: this.replicas,
      implementation: 'cdk8s-egress',
      nodeSelector,
    });
    builder.requests.addDataPathGateway({
      settings: this.settings.dataPath,
      namespace: this.namespace,
      tunnelSources: this.settings.tunnelSources,
      scraperNamespaces: this.props.monitoring?.scraperNamespaces ?? [],
    }, DATA_PATH_CONFIG_FILE, this.configMap);
  }
}
