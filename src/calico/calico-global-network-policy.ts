import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { CalicoApiObject } from './calico-api-object';
import { CalicoGlobalNetworkPolicyProps } from './calico-policy-spec';
import { GLOBAL_NETWORK_POLICY } from './private/calico-kinds';
import { constructId } from '../model/construct-id';

/**
 * A cluster-wide Calico policy (projectcalico.org/v3 GlobalNetworkPolicy), validated at
 * construction the way Calico validates it.
 */
export class CalicoGlobalNetworkPolicy extends CalicoApiObject {
  /** apiVersion and kind of the object. */
  public static readonly GVK: GroupVersionKind = GLOBAL_NETWORK_POLICY.gvk;

  /**
   * @param scope the construct this CalicoGlobalNetworkPolicy belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoGlobalNetworkPolicyProps)
   */
  constructor(scope: Construct, id: string, props: CalicoGlobalNetworkPolicyProps) {
    super(scope, constructId(scope, id, 'CalicoGlobalNetworkPolicy'), GLOBAL_NETWORK_POLICY.objectProps(scope, id, props));
    GLOBAL_NETWORK_POLICY.checkMetadata(this, props);
  }
}
