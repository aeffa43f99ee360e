import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumLabelSelector } from './cilium-types';
import { Cidr } from '../model/cidr';
import { childPath, constructId } from '../model/construct-id';
import { EgressValidationError, locate } from '../model/errors';

/** Pods whose traffic a CiliumEgressGatewayPolicy steers. */
export interface CiliumEgressGatewaySelector {
  /**
   * Pods by label (the namespace is the pseudo-label "io.kubernetes.pod.namespace").
   * @default - every pod of the selected namespaces
   */
  readonly podSelector?: CiliumLabelSelector;
  /**
   * Namespaces by label.
   * @default - every namespace
   */
  readonly namespaceSelector?: CiliumLabelSelector;
}

/** The gateway node and the address traffic leaves with. */
export interface CiliumEgressGateway {
  /** Gateway nodes (Cilium uses one of them). */
  readonly nodeSelector: CiliumLabelSelector;
  /**
   * Source address traffic is SNATed to (must be configured on the gateway node).
   * @default - the address of the node's interface towards the destination
   */
  readonly egressIP?: string;
}

/** The spec of a CiliumEgressGatewayPolicy. */
export interface CiliumEgressGatewayPolicySpec {
  /** Pods whose traffic is steered (entries are ORed). */
  readonly selectors: CiliumEgressGatewaySelector[];
  /** IPv4 destinations steered through the gateway. */
  readonly destinationCIDRs: string[];
  /**
   * IPv4 destinations within destinationCIDRs that leave directly.
   * @default - none
   */
  readonly excludedCIDRs?: string[];
  /** The gateway. */
  readonly egressGateway: CiliumEgressGateway;
}

/** Properties of a CiliumEgressGatewayPolicy. */
export interface CiliumEgressGatewayPolicyProps {
  /** Metadata; cluster-scoped. */
  readonly metadata: ApiObjectMetadata;
  /** The spec. */
  readonly spec: CiliumEgressGatewayPolicySpec;
}

/** A cilium.io/v2 CiliumEgressGatewayPolicy: selected pods' traffic to given CIDRs leaves via a gateway node. */
export class CiliumEgressGatewayPolicy extends ApiObject {
  /** API version. */
  public static readonly API_VERSION = 'cilium.io/v2';
  /** Kind. */
  public static readonly KIND = 'CiliumEgressGatewayPolicy';

  /**
   * @param scope the construct this CiliumEgressGatewayPolicy belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CiliumEgressGatewayPolicyProps)
   */
  constructor(scope: Construct, id: string, props: CiliumEgressGatewayPolicyProps) {
    checkSpec(props.spec, childPath(scope.node.path, id));
    super(scope, constructId(scope, id, 'CiliumEgressGatewayPolicy'), {
      apiVersion: CiliumEgressGatewayPolicy.API_VERSION,
      kind: CiliumEgressGatewayPolicy.KIND,
      metadata: props.metadata,
      spec: props.spec,
    } as any);
  }
}

// The addresses Cilium parses (egressgateway.ParseCEGP): refused here, at the construct, rather than by the agent.
function checkSpec(spec: CiliumEgressGatewayPolicySpec | undefined, path: string): void {
  if (spec === undefined || spec === null || typeof spec !== 'object') {
    throw new EgressValidationError('spec', String(spec), 'is required', path, 'selectors, destinationCIDRs and egressGateway');
  }
  if (!Array.isArray(spec.destinationCIDRs) || spec.destinationCIDRs.length === 0) {
    throw new EgressValidationError('spec.destinationCIDRs', JSON.stringify(spec.destinationCIDRs ?? []), 'is empty: the policy steers nothing', path, '["0.0.0.0/0"] for every destination');
  }
  spec.destinationCIDRs.forEach((c, i) => locate(path, `spec.destinationCIDRs[${i}]`, () => Cidr.parse(c)));
  (spec.excludedCIDRs ?? []).forEach((c, i) => locate(path, `spec.excludedCIDRs[${i}]`, () => Cidr.parse(c)));
  const ip = spec.egressGateway?.egressIP;
  if (ip !== undefined) {
    const cidr = locate(path, 'spec.egressGateway.egressIP', () => Cidr.parse(ip));
    if (cidr.addressCount !== 1) throw new EgressValidationError('spec.egressGateway.egressIP', ip, 'is a range, not one address', path, `e.g. "${cidr.networkAddress}"`);
  }
}
