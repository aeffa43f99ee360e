import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { CiliumPolicySpec } from './cilium-types';
import { childPath, constructId } from '../model/construct-id';
import { EgressValidationError } from '../model/errors';

/** Properties of a CiliumClusterwideNetworkPolicy. */
export interface CiliumClusterwideNetworkPolicyProps {
  /** Metadata (name, labels, annotations); cluster-scoped, so no namespace. */
  readonly metadata: ApiObjectMetadata;
  /**
   * One rule set.
   * @default - none (then `specs`)
   */
  readonly spec?: CiliumPolicySpec;
  /**
   * Several rule sets, each with its own endpoint selector (their union applies).
   * @default - none (then `spec`)
   */
  readonly specs?: CiliumPolicySpec[];
}

/** A cilium.io/v2 CiliumClusterwideNetworkPolicy: a Cilium policy whose selectors span namespaces. */
export class CiliumClusterwideNetworkPolicy extends ApiObject {
  /** API version. */
  public static readonly API_VERSION = 'cilium.io/v2';
  /** Kind. */
  public static readonly KIND = 'CiliumClusterwideNetworkPolicy';

  /**
   * @param scope the construct this CiliumClusterwideNetworkPolicy belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CiliumClusterwideNetworkPolicyProps)
   */
  constructor(scope: Construct, id: string, props: CiliumClusterwideNetworkPolicyProps) {
    if ((props.spec === undefined) === (props.specs === undefined || props.specs.length === 0)) {
      throw new EgressValidationError('spec/specs', props.spec === undefined ? 'neither' : 'both', 'is given: exactly one of them must be',
        childPath(scope.node.path, id), 'spec for one rule set, specs for several');
    }
    super(scope, constructId(scope, id, 'CiliumClusterwideNetworkPolicy'), {
      apiVersion: CiliumClusterwideNetworkPolicy.API_VERSION,
      kind: CiliumClusterwideNetworkPolicy.KIND,
      metadata: props.metadata,
      spec: props.spec,
      specs: props.specs,
    } as any);
  }
}
