import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { CalicoApiObject } from './calico-api-object';
import { CalicoGlobalNetworkSetProps } from './calico-network-set-spec';
import { GLOBAL_NETWORK_SET } from './private/calico-kinds';
import { constructId } from '../model/construct-id';

/** A cluster-wide set of networks (projectcalico.org/v3 GlobalNetworkSet) that policies select by label. */
export class CalicoGlobalNetworkSet extends CalicoApiObject {
  /** apiVersion and kind of the object. */
  public static readonly GVK: GroupVersionKind = GLOBAL_NETWORK_SET.gvk;

  /**
   * @param scope the construct this CalicoGlobalNetworkSet belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoGlobalNetworkSetProps)
   */
  constructor(scope: Construct, id: string, props: CalicoGlobalNetworkSetProps) {
    super(scope, constructId(scope, id, 'CalicoGlobalNetworkSet'), GLOBAL_NETWORK_SET.objectProps(scope, id, props));
    GLOBAL_NETWORK_SET.checkMetadata(this, props);
  }
}
