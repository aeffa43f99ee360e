import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { CalicoApiObject } from './calico-api-object';
import { CalicoIPPoolProps } from './calico-ip-pool-spec';
import { IP_POOL } from './private/calico-kinds';
import { constructId } from '../model/construct-id';

/** A Calico IP address pool (projectcalico.org/v3 IPPool), validated as Calico validates it. */
export class CalicoIPPool extends CalicoApiObject {
  /** apiVersion and kind of the object. */
  public static readonly GVK: GroupVersionKind = IP_POOL.gvk;

  /**
   * @param scope the construct this CalicoIPPool belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoIPPoolProps)
   */
  constructor(scope: Construct, id: string, props: CalicoIPPoolProps) {
    super(scope, constructId(scope, id, 'CalicoIPPool'), IP_POOL.objectProps(scope, id, props));
    IP_POOL.checkMetadata(this, props);
  }
}
