import { Construct } from 'constructs';
import { IEgressGateway } from './egress-gateway-ref';
import { Cidr } from '../model/cidr';
import { EgressValidationError, locate } from '../model/errors';
import { toDnsLabel, validateDnsLabel } from '../model/names';
import { Selector } from '../model/selector';
import type { ModelBuilder } from '../synth/model-builder';
import { declare } from './private/declare';
import { constructId } from '../model/construct-id';

/** An ICMP upstream probe of a gateway. */
export interface GatewayIcmpProbe {
  /** Addresses to ping; the gateway reports not ready when none answers. */
  readonly targets: string[];
  /**
   * Seconds between probes.
   * @default 5
   */
  readonly intervalSeconds?: number;
  /**
   * Seconds without an answer before the gateway reports not ready; more than the interval.
   * @default 15
   */
  readonly timeoutSeconds?: number;
}

/** An HTTP upstream probe of a gateway. */
export interface GatewayHttpProbe {
  /** URLs to fetch; the gateway reports not ready when none answers. */
  readonly urls: string[];
  /**
   * Seconds between probes.
   * @default 10
   */
  readonly intervalSeconds?: number;
  /**
   * Seconds without an answer before the gateway reports not ready; more than the interval.
   * @default 30
   */
  readonly timeoutSeconds?: number;
}

/** Properties of a Calico Enterprise egress gateway. */
export interface CalicoEnterpriseGatewayProps {
  /**
   * Name (DNS label, unique among the app's gateways).
   * @default - derived from the construct id
   */
  readonly name?: string;
  /** Namespace the gateway pods run in. */
  readonly namespace: string;
  /**
   * The gateway pods' address pool (at most 256 addresses); the outside world sees these addresses.
   * Rendered as an IPPool that no ordinary pod allocates from.
   */
  readonly egressCidr: string;
  /**
   * Gateway pods.
   * @default 1 (Calico Enterprise's default)
   */
  readonly replicas?: number;
  /**
   * Nodes the gateway pods run on (node labels).
   * @default - any node
   */
  readonly nodeSelector?: Selector;
  /**
   * ICMP upstream probe.
   * @default - none
   */
  readonly icmpProbe?: GatewayIcmpProbe;
  /**
   * HTTP upstream probe.
   * @default - none
   */
  readonly httpProbe?: GatewayHttpProbe;
}

/** Most addresses a gateway pool may have: the model lists each egress address for firewall exports. */
const MAX_EGRESS_ADDRESSES = 256;

/**
 * Calico Enterprise's own egress gateway, instead of this library's: zones (rendered with
 * `Backend.CALICO_ENTERPRISE`) that leave through it get an `EgressGatewayPolicy` and the
 * `egress.projectcalico.org/egressGatewayPolicy` namespace annotation; the gateway becomes an
 * operator.tigera.io/v1 `EgressGateway` and the IPPool its addresses come from.
 * Needs Felix's `egressIPSupport` set to `EnabledPerNamespace` (or `EnabledPerNamespaceOrPerPod`).
 */
export class CalicoEnterpriseGateway extends Construct implements IEgressGateway {
  /** Name of the gateway. */
  public readonly gatewayName: string;
  /** The gateway pods' address pool. */
  public readonly egressCidr: Cidr;
  private readonly props: CalicoEnterpriseGatewayProps;
  private readonly replicas: number;

  /**
   * @param scope the construct this CalicoEnterpriseGateway belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoEnterpriseGatewayProps)
   */
  constructor(scope: Construct, id: string, props: CalicoEnterpriseGatewayProps) {
    super(scope, constructId(scope, id, 'CalicoEnterpriseGateway'));
    this.props = props;
    const checked = declare(this, path => checkedGateway(id, props, path));
    this.gatewayName = checked.gatewayName;
    this.egressCidr = checked.egressCidr;
    this.replicas = checked.replicas;
  }

  /** @internal */
  public _contribute(builder: ModelBuilder): void {
    const p = this.props;
    const count = this.egressCidr.addressCount;
    builder.addGateway({
      name: this.gatewayName,
      path: this.node.path,
      namespace: p.namespace,
      egressCidr: this.egressCidr.toString(),
      // Calico IPAM hands gateway pods any address of the pool, so every one of them may be seen outside.
      egressIps: Array.from({ length: count }, (_, i) => this.egressCidr.nthAddress(i)),
      replicas: this.replicas,
      implementation: 'calico-enterprise',
      nodeSelector: p.nodeSelector?.toString(),
      probes: p.icmpProbe || p.httpProbe ? {
        icmpTargets: (p.icmpProbe?.targets ?? []).map(t => Cidr.parse(t).networkAddress),
        icmpIntervalSeconds: p.icmpProbe?.intervalSeconds ?? 5,
        icmpTimeoutSeconds: p.icmpProbe?.timeoutSeconds ?? 15,
        httpUrls: p.httpProbe?.urls ?? [],
        httpIntervalSeconds: p.httpProbe?.intervalSeconds ?? 10,
        httpTimeoutSeconds: p.httpProbe?.timeoutSeconds ?? 30,
      } : undefined,
    });
  }
}

function probeTiming(field: string, targets: string[] | undefined, interval: number, timeout: number, path: string): void {
  if (targets === undefined) return;
  if (targets.length === 0) throw new EgressValidationError(field, '[]', 'has no targets', path);
  for (const [name, v] of [['intervalSeconds', interval], ['timeoutSeconds', timeout]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new EgressValidationError(`${field}.${name}`, String(v), 'is not a whole number of seconds of at least 1', path);
  }
  // Calico Enterprise: "Timeout must be greater than interval".
  if (timeout <= interval) throw new EgressValidationError(`${field}.timeoutSeconds`, String(timeout), `is not greater than intervalSeconds (${interval})`, path);
}

/** The props checked as CalicoEnterpriseGateway's constructor takes them: its name, pool and replica count. */
function checkedGateway(id: string, props: CalicoEnterpriseGatewayProps, path: string): { gatewayName: string; egressCidr: Cidr; replicas: number } {
  const gatewayName = validateDnsLabel('name', props.name ?? toDnsLabel(id), path);
  validateDnsLabel('namespace', props.namespace, path);
  const egressCidr = locate(path, 'egressCidr', () => Cidr.parse(props.egressCidr));
  if (egressCidr.addressCount > MAX_EGRESS_ADDRESSES) {
    throw new EgressValidationError('egressCidr', egressCidr.toString(), `has ${egressCidr.addressCount} addresses; a gateway pool has at most ${MAX_EGRESS_ADDRESSES}`, path);
  }
  const replicas = props.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new EgressValidationError('replicas', String(props.replicas), 'is not a whole number of at least 1', path);
  }
  if (replicas > egressCidr.addressCount) {
    throw new EgressValidationError('replicas', String(replicas), `exceeds the ${egressCidr.addressCount} addresses of ${egressCidr}`, path);
  }
  if (props.nodeSelector?.usesGlobal) {
    throw new EgressValidationError('nodeSelector', props.nodeSelector.toString(), 'uses global(), which has no meaning for nodes', path);
  }
  probeTiming('icmpProbe', props.icmpProbe?.targets, props.icmpProbe?.intervalSeconds ?? 5, props.icmpProbe?.timeoutSeconds ?? 15, path);
  probeTiming('httpProbe', props.httpProbe?.urls, props.httpProbe?.intervalSeconds ?? 10, props.httpProbe?.timeoutSeconds ?? 30, path);
  props.icmpProbe?.targets.forEach((t, i) => locate(path, `icmpProbe.targets[${i}]`, () => Cidr.parse(t)));
  props.httpProbe?.urls.forEach((u, i) => {
    if (!/^https?:\/\/[^\s/]+/.test(u)) throw new EgressValidationError(`httpProbe.urls[${i}]`, u, 'is not an http(s) URL', path);
  });
  return { gatewayName, egressCidr, replicas };
}
