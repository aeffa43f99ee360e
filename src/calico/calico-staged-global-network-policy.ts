import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { CalicoApiObject } from './calico-api-object';
import { CalicoGlobalNetworkPolicyProps } from './calico-policy-spec';
import { STAGED_GLOBAL_NETWORK_POLICY } from './private/calico-kinds';
import { constructId } from '../model/construct-id';

/**
 * A staged cluster-wide Calico policy (projectcalico.org/v3 StagedGlobalNetworkPolicy): Felix evaluates it
 * and reports in its flow logs what it would have done, without acting on traffic. The spec is a
 * GlobalNetworkPolicy's, validated the same way; `stagedAction` is Calico's default, Set (the policy as it
 * will be enforced).
 */
export class CalicoStagedGlobalNetworkPolicy extends CalicoApiObject {
  /** apiVersion and kind of the object. */
  public static readonly GVK: GroupVersionKind = STAGED_GLOBAL_NETWORK_POLICY.gvk;

  /**
   * @param scope the construct this CalicoStagedGlobalNetworkPolicy belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoGlobalNetworkPolicyProps)
   */
  constructor(scope: Construct, id: string, props: CalicoGlobalNetworkPolicyProps) {
    super(scope, constructId(scope, id, 'CalicoStagedGlobalNetworkPolicy'), STAGED_GLOBAL_NETWORK_POLICY.objectProps(scope, id, props));
    STAGED_GLOBAL_NETWORK_POLICY.checkMetadata(this, props);
  }
}
