import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { CalicoApiObject } from './calico-api-object';
import { CalicoTierProps } from './calico-tier-spec';
import { TIER } from './private/calico-kinds';
import { constructId } from '../model/construct-id';

/** A policy tier (projectcalico.org/v3 Tier): policies in it apply before those of tiers with a higher order. */
export class CalicoTier extends CalicoApiObject {
  /** apiVersion and kind of the object. */
  public static readonly GVK: GroupVersionKind = TIER.gvk;

  /**
   * @param scope the construct this CalicoTier belongs to (usually a chart)
   * @param id the construct id, unique among its siblings
   * @param props what to create (see CalicoTierProps)
   */
  constructor(scope: Construct, id: string, props: CalicoTierProps) {
    super(scope, constructId(scope, id, 'CalicoTier'), TIER.objectProps(scope, id, props));
    TIER.checkMetadata(this, props);
  }
}
