import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { CalicoApiObject } from './calico-api-object';
import { CalicoNetworkSetProps } from './calico-network-set-spec';
import { NETWORK_SET } from './private/calico-kinds';
import { constructId } from '../model/construct-id';

/** A namespaced set of networks (projectcalico.org/v3 NetworkSet) that policies select by label. */
export class CalicoNetworkSet extends CalicoApiObject {
  /** apiVersion and kind of the object. */
  public static readonly GVK: GroupVersionKind = NETWORK_SET.gvk;

  /**
   * @param scope the construct this CalicoNetworkSet belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoNetworkSetProps)
   */
  constructor(scope: Construct, id: string, props: CalicoNetworkSetProps) {
    super(scope, constructId(scope, id, 'CalicoNetworkSet'), NETWORK_SET.objectProps(scope, id, props));
    NETWORK_SET.checkMetadata(this, props);
  }
}
