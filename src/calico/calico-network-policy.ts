import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { CalicoApiObject } from './calico-api-object';
import { CalicoNetworkPolicyProps } from './calico-policy-spec';
import { NETWORK_POLICY } from './private/calico-kinds';
import { constructId } from '../model/construct-id';

/**
 * A namespaced Calico policy (projectcalico.org/v3 NetworkPolicy), validated at construction
 * the way Calico validates it.
 */
export class CalicoNetworkPolicy extends CalicoApiObject {
  /** apiVersion and kind of the object. */
  public static readonly GVK: GroupVersionKind = NETWORK_POLICY.gvk;

  /**
   * @param scope the construct this CalicoNetworkPolicy belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoNetworkPolicyProps)
   */
  constructor(scope: Construct, id: string, props: CalicoNetworkPolicyProps) {
    super(scope, constructId(scope, id, 'CalicoNetworkPolicy'), NETWORK_POLICY.objectProps(scope, id, props));
    NETWORK_POLICY.checkMetadata(this, props);
  }
}
