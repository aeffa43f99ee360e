/**
 * Calico Enterprise's egress gateway resources, typed after their APIs: `EgressGateway`
 * (operator.tigera.io/v1, tigera/operator api/v1/egressgateway_types.go) and `EgressGatewayPolicy`
 * (projectcalico.org/v3, Calico Enterprise reference "Egress gateway policy"). Only the fields this
 * library writes are modelled.
 */
import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';

/** An IP pool the gateway pods take their (egress) addresses from. */
export interface CalicoEnterpriseEgressGatewayIpPool {
  /**
   * Name of an existing IPPool.
   * @default - chosen by CIDR
   */
  readonly name?: string;
  /**
   * CIDR of an existing IPPool.
   * @default - chosen by name
   */
  readonly cidr?: string;
}

/** ICMP upstream probe. */
export interface CalicoEnterpriseIcmpProbe {
  /** Addresses to ping. */
  readonly ips: string[];
  /** Seconds between probes. */
  readonly intervalSeconds: number;
  /** Seconds without answers before the gateway reports not ready (greater than the interval). */
  readonly timeoutSeconds: number;
}

/** HTTP upstream probe. */
export interface CalicoEnterpriseHttpProbe {
  /** URLs to fetch. */
  readonly urls: string[];
  /** Seconds between probes. */
  readonly intervalSeconds: number;
  /** Seconds without answers before the gateway reports not ready (greater than the interval). */
  readonly timeoutSeconds: number;
}

/** How the gateway decides it is ready. */
export interface CalicoEnterpriseFailureDetection {
  /**
   * ICMP probe.
   * @default - none
   */
  readonly icmpProbe?: CalicoEnterpriseIcmpProbe;
  /**
   * HTTP probe.
   * @default - none
   */
  readonly httpProbe?: CalicoEnterpriseHttpProbe;
}

/** The spec of an operator.tigera.io/v1 EgressGateway. */
export interface CalicoEnterpriseEgressGatewaySpec {
  /** Gateway pods. */
  readonly replicas: number;
  /** Pools the gateway pods' addresses come from. */
  readonly ipPools: CalicoEnterpriseEgressGatewayIpPool[];
  /**
   * Log level (Trace, Debug, Info, Warn, Error, Fatal).
   * @default "Info"
   */
  readonly logSeverity?: string;
  /**
   * Pod template (labels, node placement).
   * @default - the operator's
   */
  readonly template?: any;
  /**
   * Readiness probes.
   * @default - none
   */
  readonly egressGatewayFailureDetection?: CalicoEnterpriseFailureDetection;
}

/** Properties of a Calico Enterprise EgressGateway. */
export interface CalicoEnterpriseEgressGatewayProps {
  /** Metadata (name and namespace). */
  readonly metadata: ApiObjectMetadata;
  /** The spec. */
  readonly spec: CalicoEnterpriseEgressGatewaySpec;
}

/** Calico Enterprise's EgressGateway (operator.tigera.io/v1): the operator runs the gateway pods. */
export class CalicoEnterpriseEgressGateway extends ApiObject {
  /**
   * @param scope the construct this CalicoEnterpriseEgressGateway belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoEnterpriseEgressGatewayProps)
   */
  constructor(scope: Construct, id: string, props: CalicoEnterpriseEgressGatewayProps) {
    super(scope, id, { apiVersion: 'operator.tigera.io/v1', kind: 'EgressGateway', metadata: props.metadata, spec: props.spec });
  }
}

/** Which gateway an EgressGatewayPolicy rule uses. */
export interface CalicoEnterpriseGatewayRef {
  /** Namespace of the gateway (Calico selector over namespace labels). */
  readonly namespaceSelector: string;
  /** Gateway pods (Calico selector). */
  readonly selector: string;
}

/** The destination of an EgressGatewayPolicy rule. */
export interface CalicoEnterpriseGatewayDestination {
  /** Destination prefix. */
  readonly cidr: string;
}

/** One rule: a destination and its gateway; no gateway means "leave directly". */
export interface CalicoEnterpriseEgressGatewayRule {
  /**
   * What the rule is.
   * @default - none
   */
  readonly description?: string;
  /**
   * Destination prefix (longest prefix wins).
   * @default - every destination
   */
  readonly destination?: CalicoEnterpriseGatewayDestination;
  /**
   * Gateway for the destination.
   * @default - no gateway
   */
  readonly gateway?: CalicoEnterpriseGatewayRef;
}

/** Properties of a Calico Enterprise EgressGatewayPolicy. */
export interface CalicoEnterpriseEgressGatewayPolicyProps {
  /** Metadata (name; cluster-scoped). */
  readonly metadata: ApiObjectMetadata;
  /** The rules. */
  readonly rules: CalicoEnterpriseEgressGatewayRule[];
}

/** Calico Enterprise's EgressGatewayPolicy (projectcalico.org/v3): per-destination gateway choice. */
export class CalicoEnterpriseEgressGatewayPolicy extends ApiObject {
  /**
   * @param scope the construct this CalicoEnterpriseEgressGatewayPolicy belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoEnterpriseEgressGatewayPolicyProps)
   */
  constructor(scope: Construct, id: string, props: CalicoEnterpriseEgressGatewayPolicyProps) {
    super(scope, id, { apiVersion: 'projectcalico.org/v3', kind: 'EgressGatewayPolicy', metadata: props.metadata, spec: { rules: props.rules } });
  }
}
